//! Leaving "view as affiliate": the view lives in the staff member's own
//! session (`principal::VIEW_AS_KEY`), so signing out of the admin ends it
//! too; this drops it and goes back to the affiliate's admin page.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use super::principal::{VIEW_AS_KEY, ViewAs};
use crate::web::see_other;

pub async fn exit(session: Session, path: web::Path<String>) -> HttpResponse {
    let viewed = session.get::<ViewAs>(VIEW_AS_KEY).ok().flatten();
    session.remove(VIEW_AS_KEY);
    match viewed {
        Some(v) => see_other(&format!("/admin/affiliates/{}", v.affiliate_id)),
        None => see_other(&format!("/a/{}/login", path.into_inner())),
    }
}
