//! What the installation knows about where it is reached, for the links in
//! the mail use cases write (the approval, commission and payout mails link
//! to the store's portal sign-in page) without every caller passing the URL
//! down.
//!
//! A request's mail uses the public URL of that request: the configured
//! `TRIBUTARY_PUBLIC_URL`, or, when none is set, the origin the request came
//! to (`web::origin` works it out and runs the request under it, here a
//! task-local: the use cases that write these mails, payouts and
//! commissions among them, need no parameter for it). The sales writer
//! carries each sale's along with it. Mail written outside any request
//! falls back on the URL each instance records as it starts
//! (`Application::build`): the configured one, else the bind address.

use std::future::Future;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect, Set};

use super::ServiceResult;
use crate::entities::instance_setting;

const PUBLIC_BASE: &str = "public_base";

tokio::task_local! {
    /// The public URL of the request being served, without a trailing slash.
    static REQUEST_BASE: String;
}

/// Runs `f` (a request's handling) with `base` as its public URL; `None`
/// runs it as it is (outside a request: the recorded URL applies).
pub async fn serving_under<F: Future>(base: Option<String>, f: F) -> F::Output {
    match base {
        Some(base) => REQUEST_BASE.scope(base, f).await,
        None => f.await,
    }
}

/// The public URL of the request being served, if this runs in one.
pub fn request_base() -> Option<String> {
    REQUEST_BASE.try_with(Clone::clone).ok()
}

/// Records `base` (the public URL without a trailing slash).
pub async fn record_public_base(db: &DatabaseConnection, base: &str) -> ServiceResult<()> {
    instance_setting::Entity::insert(instance_setting::ActiveModel {
        name: Set(PUBLIC_BASE.to_owned()),
        value: Set(base.trim_end_matches('/').to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(instance_setting::Column::Name)
            .update_columns([
                instance_setting::Column::Value,
                instance_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The public URL for a link in mail: the request's (`request_base`), else
/// the one last recorded; `None` outside a request before the app first
/// started (a CLI run on a fresh database).
pub async fn public_base(conn: &impl ConnectionTrait) -> ServiceResult<Option<String>> {
    if let Some(base) = request_base() {
        return Ok(Some(base));
    }
    recorded_base(conn).await
}

/// The public URL last recorded by an instance as it started.
pub async fn recorded_base(conn: &impl ConnectionTrait) -> ServiceResult<Option<String>> {
    Ok(instance_setting::Entity::find_by_id(PUBLIC_BASE.to_owned())
        .select_only()
        .column(instance_setting::Column::Value)
        .into_tuple()
        .one(conn)
        .await?)
}

/// The portal's sign-in page of the store `slug` under `base`.
pub fn portal_login_url(base: &str, slug: &str) -> String {
    format!("{base}/a/{slug}/login")
}
