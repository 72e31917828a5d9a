//! Every error response dressed for what the request wants: JSON under
//! `/api/` and `/webhooks/`, the toast partial for htmx, a full page else.

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use askama::Template;

use super::{ErrorInfo, WebError, json_response};
use crate::web::extractors::Htmx;

/// What the status alone says, for errors that did not come from a handler
/// (no route, wrong method, a body over the limit).
fn info_for_status(status: StatusCode) -> ErrorInfo {
    let (code, message) = match status.as_u16() {
        404 => ("not_found", "Not found."),
        405 => ("method_not_allowed", "That method is not allowed here."),
        413 => ("payload_too_large", "The request body is too large."),
        400..=499 => ("bad_request", "The request could not be understood."),
        _ => (
            "internal",
            "Something went wrong on our side. It has been logged; please try again.",
        ),
    };
    ErrorInfo {
        status,
        code,
        message: message.into(),
        details: vec![],
    }
}

pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/webhooks/")
}

#[derive(Template)]
#[template(path = "errors/page.html")]
struct ErrorPage<'a> {
    info: &'a ErrorInfo,
    asset_version: &'a str,
}

#[derive(Template)]
#[template(path = "errors/_toast.html")]
struct ErrorToast<'a> {
    info: &'a ErrorInfo,
}

pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_api = is_api_path(req.path());
    let is_htmx = Htmx::from_headers(req.headers()).request;
    // Inner middleware report refusals as error responses (not `Err`), so
    // they are rendered here like a handler's. (The request cannot be
    // cloned before routing to handle `Err` here: actix panics.)
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();

    let web_error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<WebError>());
    if let (Some(WebError::Redirect(to)), true) = (web_error, is_htmx) {
        // htmx follows a redirect inside the target; a full navigation is wanted.
        let to = to.clone();
        return Ok(res.into_response(
            HttpResponse::Ok()
                .insert_header(("HX-Redirect", to))
                .finish(),
        ));
    }
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(res);
    }
    // A handler that rendered its own 4xx page (a form with field messages,
    // the login page's 401) keeps it; only bare errors are dressed here.
    let bare = matches!(
        res.response().body().size(),
        actix_web::body::BodySize::None | actix_web::body::BodySize::Sized(0)
    );
    if res.response().error().is_none() && !bare {
        return Ok(res);
    }
    let info = match web_error {
        Some(e) => e.info(),
        None => {
            if let Some(other) = res.response().error() {
                if status.is_server_error() {
                    tracing::error!(error = %other, "request failed");
                } else {
                    tracing::debug!(error = %other, "request refused");
                }
            }
            info_for_status(status)
        }
    };
    if is_api {
        if web_error.is_some() {
            return Ok(res);
        }
        return Ok(res.into_response(json_response(&info)));
    }
    let response = if is_htmx {
        let body = ErrorToast { info: &info }
            .render()
            .unwrap_or_else(|_| info.message.clone());
        HttpResponse::build(info.status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("HX-Retarget", "#toast"))
            .insert_header(("HX-Reswap", "innerHTML"))
            .body(body)
    } else {
        let body = ErrorPage {
            info: &info,
            asset_version: crate::web::assets::version(),
        }
        .render()
        .unwrap_or_else(|_| info.message.clone());
        HttpResponse::build(info.status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    };
    Ok(res.into_response(response))
}
