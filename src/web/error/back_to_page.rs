//! Refused plain form posts go back to their page with a flash.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;

use super::WebError;
use crate::web::extractors::Htmx;

/// A refused plain form post on an admin page goes back to the page it came
/// from with the refusal as a flash, instead of leaving for an error page
/// (htmx requests get the toast partial in `render_errors`). It runs inside
/// the session middleware, so the flash is saved with the session.
pub async fn refusals_back_to_page(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use actix_session::SessionExt;
    let plain_post = req.method() == actix_web::http::Method::POST
        && req.path().starts_with("/admin/")
        && !Htmx::from_headers(req.headers()).request;
    if !plain_post {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let back = same_origin_referer(&req).unwrap_or_else(|| "/admin".to_owned());
    let session = req.get_session();
    let res = next.call(req).await?.map_into_boxed_body();
    let refused = res
        .response()
        .error()
        .and_then(|e| e.as_error::<WebError>())
        .filter(|e| {
            matches!(
                e,
                WebError::Conflict(_)
                    | WebError::Forbidden(_)
                    | WebError::Validation { .. }
                    | WebError::BadRequest(_)
                    | WebError::RateLimited(_)
            )
        })
        .map(|e| e.info());
    let Some(info) = refused else { return Ok(res) };
    let mut text = info.message.clone();
    for d in &info.details {
        text.push_str(&format!(" {} {}.", d.field, d.message));
    }
    crate::web::shell::flash(&session, "error", text);
    Ok(res.into_response(crate::web::see_other(&back)))
}

/// The path (and query) of the page that sent the request, if it is ours.
fn same_origin_referer(req: &ServiceRequest) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str()?),
        None => url.host_str()?.to_owned(),
    };
    if host != req.connection_info().host() {
        return None;
    }
    Some(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}
