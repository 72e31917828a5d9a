//! Request bodies for the API: parsed with `serde_path_to_error`, so a
//! wrong type or an unknown field is a 422 naming the field, never a vague
//! 400; and a few value types every resource uses.

use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::domain::ValidationErrors;
use crate::web::WebError;

const MAX_BODY: usize = 256 * 1024;

/// A JSON body of type `T`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(WebError::BadRequest(
                    "Content-Type must be application/json.".into(),
                ));
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    WebError::PayloadTooLarge
                } else {
                    WebError::BadRequest(format!("The body could not be read: {e}"))
                }
            })?;
            if bytes.len() > MAX_BODY {
                return Err(WebError::PayloadTooLarge);
            }
            // Every body is a JSON object: serde would also read a struct
            // from an array of its fields in order (`[null, null]`), which
            // no client means and the document does not allow.
            if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                return Err(WebError::Validation {
                    message: "The JSON body is not valid: body: must be a JSON object".into(),
                    errors: ValidationErrors::single("body", "must be a JSON object"),
                });
            }
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                // Anything but whitespace after the object is refused: a
                // body is one JSON value, not a prefix that happens to parse.
                Ok(value) => match de.end() {
                    Ok(()) => Ok(ApiJson(value)),
                    Err(_) => Err(WebError::Validation {
                        message:
                            "The JSON body is not valid: body: trailing data after the JSON value"
                                .into(),
                        errors: ValidationErrors::single("body", "has data after the JSON value"),
                    }),
                },
                Err(err) => {
                    let path = err.path().to_string();
                    let inner = err.into_inner();
                    let message = inner.to_string();
                    // An unknown field (store_id, balance, …) is named by serde
                    // in the message, not in the path.
                    // serde names a missing field in the message, the path
                    // being its parent; an unknown field's path is the field.
                    let field = if message.starts_with("missing field") {
                        let name = message.split('`').nth(1).unwrap_or("body");
                        if path == "." || path.is_empty() {
                            name.to_owned()
                        } else {
                            format!("{path}.{name}")
                        }
                    } else if message.starts_with("unknown field")
                        && (path == "." || path.is_empty())
                    {
                        message.split('`').nth(1).unwrap_or("body").to_owned()
                    } else if path == "." || path.is_empty() {
                        "body".to_owned()
                    } else {
                        path
                    };
                    let message = message
                        .split(" at line ")
                        .next()
                        .unwrap_or(&message)
                        .to_owned();
                    Err(WebError::Validation {
                        message: format!("The JSON body is not valid: {field}: {message}"),
                        errors: ValidationErrors::single(&field, message),
                    })
                }
            }
        })
    }
}

/// A field that may be absent (leave as is), `null` (clear) or a value.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// An optional `i32` given as a JSON integer, or a number with no fraction
/// (`7.0` is the integer 7 in JSON Schema, so the document's `integer`
/// promises it).
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => whole(&n)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, found {n}"))),
    }
}

/// [`whole_number`] for a field where `null` clears and absent keeps.
pub fn nullable_whole_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<i32>>, D::Error> {
    whole_number(d).map(Some)
}

fn whole(n: &serde_json::Number) -> Option<i32> {
    if let Some(i) = n.as_i64() {
        return i32::try_from(i).ok();
    }
    // With `arbitrary_precision` the text is kept: "7.0", "7.00", "7e0".
    let f: f64 = n.to_string().parse().ok()?;
    (f.fract() == 0.0 && f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX)).then_some(f as i32)
}

/// A decimal given as a JSON number or string, kept as its exact text
/// (serde_json's `arbitrary_precision` keeps every digit of a number).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(value_type = String, example = "10.00")]
pub struct DecimalText(pub String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => Ok(DecimalText(n.to_string())),
            serde_json::Value::String(s) => Ok(DecimalText(s)),
            other => Err(serde::de::Error::custom(format!(
                "expected a number or a decimal string, found {other}"
            ))),
        }
    }
}

/// `?limit=&starting_after=` of every list endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1 to 100, default 25.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The last id of the previous page; an id that is not in this list is a
    /// 422 naming the field.
    #[param(value_type = Option<uuid::Uuid>)]
    pub starting_after: Option<String>,
}

impl PageParams {
    pub fn request(&self) -> Result<crate::services::paging::PageRequest, WebError> {
        crate::services::paging::PageRequest::parse(self.limit, self.starting_after.as_deref())
            .map_err(|errors| WebError::Validation {
                message: "Some query parameters are not valid.".into(),
                errors,
            })
    }
}

/// The error shape of every API response that is not a success.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `unauthorized`, `not_found`, `method_not_allowed`,
    /// `conflict`, `payload_too_large`, `validation_failed` or `internal`.
    pub code: String,
    pub message: String,
    pub details: Vec<FieldDetail>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldDetail {
    pub field: String,
    pub message: String,
}
