//! JSON request and response bodies of the bearer-token and OAuth services
//! (SSO portal, SSO OIDC, sign-in), read with the crate's zeroizing JSON
//! reader: their bodies hold tokens and keys.

use zeroize::Zeroizing;

use super::{ApiError, ApiRequest, CallError};
use crate::util::json::{self, Json};

/// The content type of a JSON request.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json";

/// An unsigned JSON `POST` of `fields` (strings) to `url`.
pub(crate) fn json_post(url: String, fields: &[(&str, Option<&str>)]) -> ApiRequest {
    let doc = Json::Object(
        fields
            .iter()
            .filter_map(|(k, v)| Some(((*k).to_owned(), Json::string((*v)?))))
            .collect(),
    );
    ApiRequest::new(http::Method::POST, url, "", "")
        .anonymous()
        .header("content-type", JSON_CONTENT_TYPE)
        .body(doc.to_text().as_bytes().to_vec())
}

/// The JSON object of a successful response (the body is zeroized), or the
/// service's error: an OAuth `error` member (`authorization_pending`...)
/// becomes the code when the `x-amzn-errortype` header gave none.
pub(crate) fn parse_object(
    operation: &'static str,
    response: http::Response<Vec<u8>>,
) -> Result<Json, CallError> {
    if !response.status().is_success() {
        let mut error = ApiError::from_response(&response);
        let body = Zeroizing::new(response.into_body());
        if let Some(doc) = std::str::from_utf8(&body)
            .ok()
            .and_then(|t| json::parse(t).ok())
        {
            let from_status = error.code == super::error::code_for_status(error.status);
            if let (true, Some(code)) = (from_status, doc.get_str("error")) {
                error.code = code.trim().to_owned();
            }
            if error.message.is_none() {
                error.message = doc
                    .get_str("error_description")
                    .or_else(|| doc.get_str("message"))
                    .map(str::to_owned);
            }
        }
        return Err(error.into());
    }
    let body = Zeroizing::new(response.into_body());
    let text = std::str::from_utf8(&body).map_err(|_| CallError::parse(operation, "not UTF-8"))?;
    let doc = json::parse(text).map_err(|e| CallError::parse(operation, e.to_string()))?;
    if !doc.is_object() {
        return Err(CallError::parse(operation, "not a JSON object"));
    }
    Ok(doc)
}

/// A required non-empty string member.
pub(crate) fn required<'a>(
    doc: &'a Json,
    key: &str,
    operation: &'static str,
) -> Result<&'a str, CallError> {
    doc.get_str(key)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CallError::parse(operation, format!("missing {key:?}")))
}

/// An optional non-empty string member.
pub(crate) fn optional<'a>(doc: &'a Json, key: &str) -> Option<&'a str> {
    doc.get_str(key).map(str::trim).filter(|v| !v.is_empty())
}

/// An integer member (JSON numbers, possibly written with a fraction).
pub(crate) fn integer(doc: &Json, key: &str) -> Option<i64> {
    match doc.get(key)? {
        Json::Number(n) => n
            .parse::<i64>()
            .ok()
            .or_else(|| n.parse::<f64>().ok().map(|f| f as i64)),
        _ => None,
    }
}

/// A required integer member.
pub(crate) fn required_integer(
    doc: &Json,
    key: &str,
    operation: &'static str,
) -> Result<i64, CallError> {
    integer(doc, key).ok_or_else(|| CallError::parse(operation, format!("missing number {key:?}")))
}
