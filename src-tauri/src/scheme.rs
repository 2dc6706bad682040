//! The `kiosk://` URI scheme: menu pictures for the web view.
//!
//! Only `GET /image/{dish|combo|section}/{id}?size=card|detail` is served. The id is looked up
//! in the menu (it is never used as a path), so no request can reach a file outside the cache.
//! A picture that cannot be had answers 404 at once (the engine remembers failures and hosts
//! that are down, and waits only a few seconds for a picture being made) and the UI shows its
//! placeholder.
//!
//! Answers carry the content type read from the bytes, an `ETag` of the bytes and a short
//! `max-age`: the URL names a dish, not a picture, so a picture the POS changes must show within
//! minutes; a revalidation with `If-None-Match` costs a 304 and no body.
//!
//! Benchmarks: with `KIOSK_BENCH_READY_FILE=path` set, the first picture served writes the
//! time (nanoseconds since the epoch) to that file. The first picture is requested when the
//! page has the menu on screen, so `make bench` times a cold start without touching the UI.

use std::sync::atomic::{AtomicBool, Ordering};

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

/// The picture's type from its first bytes (the cache stores JPEG; a sniff keeps this true if
/// that ever changes).
pub fn content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}

/// A strong validator of the bytes (FNV-1a, 64 bits: this is a cache key, not a signature).
pub fn etag(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// A picture, or 304 when the page already holds these bytes.
pub fn picture(bytes: Vec<u8>, if_none_match: Option<&str>) -> Response<Vec<u8>> {
    let tag = etag(&bytes);
    let fresh = if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let (status, body) = if fresh {
        (StatusCode::NOT_MODIFIED, Vec::new())
    } else {
        (StatusCode::OK, bytes)
    };
    let ctype = if fresh {
        "image/jpeg"
    } else {
        content_type(&body)
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, ctype)
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .header(header::ETAG, tag)
        .header("X-Content-Type-Options", "nosniff")
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// See the module comment.
fn mark_ready() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return;
    }
    if let Some(path) = std::env::var_os("KIOSK_BENCH_READY_FILE") {
        let ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let _ = std::fs::write(path, ns.to_string());
    }
}

pub fn handle<R: tauri::Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let uri = request.uri().clone();
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
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
            Ok(bytes) => {
                mark_ready();
                picture(bytes, if_none_match.as_deref())
            }
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

    /// Random paths and queries (a fixed seed, so a failure reproduces): parsing never panics,
    /// and whatever it accepts is one of the three kinds with an id that cannot name a path.
    #[test]
    fn random_requests_never_yield_a_path() {
        const ALPHABET: &[&str] = &[
            "/",
            "\\",
            ".",
            "..",
            "%",
            "%2F",
            "%2f",
            "%5C",
            "%2e",
            "%00",
            "%0a",
            "%ZZ",
            "%",
            "a",
            "1",
            "image",
            "dish",
            "combo",
            "section",
            "?",
            "&",
            "=",
            "size=",
            "card",
            "detail",
            "\u{0}",
            "\u{202e}",
            "й",
            "%D0%B9",
            "%C0%AF",
            "%E2%80%AE",
            " ",
            "\t",
            "~",
            "*",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut accepted = 0;
        for i in 0..20_000 {
            let n = (next() % 12) as usize;
            let junk: String = (0..n)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let path = if i % 2 == 0 {
                format!("/image/dish/{junk}")
            } else {
                junk.clone()
            };
            let query = (i % 3 == 0).then_some(junk.as_str());
            if let Ok(r) = parse(&path, query) {
                accepted += 1;
                assert!(
                    ["dish", "combo", "section"].contains(&r.kind.as_str()),
                    "{path}"
                );
                assert!(
                    ["card", "detail"].contains(&r.size.as_str()),
                    "{path} {query:?}"
                );
                assert!(!r.id.is_empty() && r.id.len() <= MAX_ID, "{path}");
                assert!(
                    !r.id.contains(['/', '\\']) && !r.id.chars().any(char::is_control),
                    "{path} gave id {:?}",
                    r.id
                );
            }
        }
        assert!(
            accepted > 100,
            "the generator must also make valid requests"
        );
    }

    #[test]
    fn pictures_carry_their_type_and_a_validator() {
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
        let r = picture(jpeg.clone(), None);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "public, max-age=300");
        let tag = r.headers()[header::ETAG].to_str().unwrap().to_string();
        assert_eq!(r.body(), &jpeg);
        let again = picture(jpeg.clone(), Some(&format!("\"x\", {tag}")));
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert!(again.body().is_empty());
        assert_eq!(picture(jpeg, Some("\"other\"")).status(), StatusCode::OK);
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(content_type(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(content_type(b"<html>"), "application/octet-stream");
        assert_ne!(etag(b"a"), etag(b"b"));
    }
}
