//! The `kiosk://` URI scheme: menu pictures for the web view.
//!
//! Only `GET /image/{dish|combo|section}/{id}?size=card|detail` is served. The id is looked up
//! in the menu (it is never used as a path), so no request can reach a file outside the cache.
//! A picture that cannot be had answers 404 and the UI shows its placeholder.

use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, UriSchemeContext, UriSchemeResponder};

use crate::AppState;

/// The longest id we accept; POS ids are short codes or uids.
const MAX_ID: usize = 128;

/// A parsed picture request.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRequest {
    pub kind: String,
    pub id: String,
    pub size: String,
}

/// Parses the path and query; anything unexpected is an error with a reason.
pub fn parse(path: &str, query: Option<&str>) -> Result<ImageRequest, String> {
    let mut parts = path.trim_start_matches('/').split('/');
    let (Some("image"), Some(kind), Some(raw_id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("not a picture path: {path:?}"));
    };
    if !matches!(kind, "dish" | "combo" | "section") {
        return Err(format!("unknown picture kind {kind:?}"));
    }
    let id = percent_decode(raw_id)
        .ok_or_else(|| "the id is not valid UTF-8 percent-encoding".to_string())?;
    if id.is_empty()
        || id.len() > MAX_ID
        || id.chars().any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(format!("invalid id {id:?}"));
    }
    let size = query
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("size="))
        .unwrap_or("card");
    if !matches!(size, "card" | "detail") {
        return Err(format!("unknown size {size:?}"));
    }
    Ok(ImageRequest {
        kind: kind.to_string(),
        id,
        size: size.to_string(),
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CACHE_CONTROL,
            if status.is_success() {
                "public, max-age=3600"
            } else {
                "no-store"
            },
        )
        .header("X-Content-Type-Options", "nosniff")
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

pub fn handle<R: tauri::Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let uri = request.uri().clone();
    if request.method() != tauri::http::Method::GET {
        responder.respond(respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            b"GET only".to_vec(),
        ));
        return;
    }
    let req = match parse(uri.path(), uri.query()) {
        Ok(r) => r,
        Err(why) => {
            responder.respond(respond(
                StatusCode::BAD_REQUEST,
                "text/plain",
                why.into_bytes(),
            ));
            return;
        }
    };
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let result = match &state.engine {
            Ok(engine) => engine
                .image(&req.kind, &req.id, &req.size)
                .await
                .map_err(|e| e.message),
            Err(why) => Err(why.clone()),
        };
        let response = match result {
            Ok(bytes) => respond(StatusCode::OK, "image/jpeg", bytes),
            Err(why) => respond(StatusCode::NOT_FOUND, "text/plain", why.into_bytes()),
        };
        responder.respond(response);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_pictures_only() {
        assert_eq!(
            parse("/image/dish/1001", Some("size=detail")).unwrap(),
            ImageRequest {
                kind: "dish".into(),
                id: "1001".into(),
                size: "detail".into()
            }
        );
        assert_eq!(parse("/image/combo/A%3AB%3A1", None).unwrap().id, "A:B:1");
    }

    #[test]
    fn rejects_traversal_and_garbage() {
        for (path, query) in [
            ("/image/dish/..%2F..%2Fetc%2Fpasswd", None),
            ("/image/dish/../../etc/passwd", None),
            ("/image/../journal.db", None),
            ("/image/file/1001", None),
            ("/image/dish/", None),
            ("/image/dish/%ZZ", None),
            ("/image/dish/%00", None),
            ("/image/dish/1001", Some("size=huge")),
            ("/etc/passwd", None),
        ] {
            assert!(parse(path, query).is_err(), "{path} {query:?}");
        }
        let long = format!("/image/dish/{}", "1".repeat(MAX_ID + 1));
        assert!(parse(&long, None).is_err());
    }
}
