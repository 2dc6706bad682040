//! The Jupiter simulator: a JPOS endpoint (`POST /jpos/index.php`) that behaves like the real
//! cloud server, on the same listener as the payment simulator.
//!
//! Routes:
//! * `POST /jpos/index.php` (also `POST /`): every JPOS command, picked by the body's
//!   `command`; answers are always HTTP 200 with `{"status":"ok",...}` or
//!   `{"status":"error","message":"<Russian text>"}` (reference §1.3, ASSUMED status 200);
//! * `GET /images/{kind}/{n}.jpg`: product pictures, painted and cached by [`crate::images`]
//!   for the product that links them;
//! * `/_sim/...`: admin endpoints, see [`admin`] (faults and the payment terminal are the
//!   common [`crate::admin`] routes);
//! * `/paysim/v1/...`: the shared payment simulator (merged in by `crate::router`).
//!
//! Framing (reference §1.2): the body is used when it parses as a JSON object, whatever the
//! content type; otherwise a form field holding a JSON object is looked for (`data`, `json`,
//! `request`, `query`, then any field).
//!
//! Faults use the shared table and guard of [`crate::faults`] (`POST /_sim/faults` with
//! `method` = a JPOS command name, or `*`): latency, reset, hang, malformed JSON, truncated
//! body, commit-then-drop/hang behave as for ProCart. Three kinds are translated into Jupiter
//! terms: `http_error` answers with an HTML page (a PHP/nginx failure, not a JPOS envelope),
//! `invalid_token` makes the server id unknown, and `cash_server_down` means no open workday.

pub mod admin;
pub mod demo;
pub mod menu;
pub mod orders;
pub mod state;

use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::Bytes;
use serde_json::{json, Value};

use crate::faults::{self, FaultKind};
use crate::images::{self, Subject};
use crate::net::ConnHandle;
use crate::state::{lock, Sim};

pub use menu::MenuDoc;
pub use orders::LoyaltyClient;
pub use state::{
    DiscountRule, JupiterSettings, JupiterSimConfig, PrintJob, Quirks, Staff, KIOSK_PASSWORD,
    KIOSK_USER, SERVER_ID,
};

/// The simulated Jupiter shared by its handlers.
pub struct JupiterSim {
    state: Mutex<state::State>,
}

impl JupiterSim {
    pub fn new(cfg: JupiterSimConfig) -> JupiterSim {
        JupiterSim {
            state: Mutex::new(state::State::new(cfg)),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, state::State> {
        lock(&self.state)
    }
}

/// The Jupiter application; [`crate::router`] merges the payment routes and adds the state.
pub(crate) fn routes(cfg: JupiterSimConfig) -> Router<Arc<Sim>> {
    let sim = Arc::new(JupiterSim::new(cfg));
    Router::new()
        .route("/jpos/index.php", post(jpos))
        .route("/", post(jpos))
        .route("/images/{kind}/{file}", get(image))
        .merge(admin::routes())
        .layer(Extension(sim))
}

/// Commands whose failure when no workday is open is CONFIRMED or ASSUMED (§6).
fn needs_workday(command: &str) -> bool {
    matches!(
        command,
        "add_new_order" | "print_bill" | "add_client_to_order"
    )
}

async fn jpos(
    State(sim): State<Arc<Sim>>,
    Extension(jsim): Extension<Arc<JupiterSim>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = parse_request(&body);
    let command = request
        .as_ref()
        .ok()
        .and_then(|r| r.get("command"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let fired = lock(&sim.faults).take(&command);
    let http_error = fired
        .iter()
        .find(|f| f.kind == FaultKind::HttpError)
        .map(|f| f.status.unwrap_or(502));
    let fired: Vec<_> = fired
        .into_iter()
        .filter(|f| f.kind != FaultKind::HttpError)
        .collect();
    let base = base_url(&headers, sim.addr);
    faults::guard(
        fired,
        &conn,
        sim.stopping.clone(),
        true,
        |cond| async move {
            if let Some(status) = http_error {
                return html_error(status);
            }
            let result = match request {
                Err(()) => Err(state::E_BAD_REQUEST.to_string()),
                Ok(_) if cond.invalid_token => Err(state::E_UNKNOWN_SERVER.to_string()),
                Ok(_) if cond.cash_server_down && needs_workday(&command) => {
                    Err(state::E_NO_WORKDAY.to_string())
                }
                Ok(req) => jsim.state().handle(&req, &base),
            };
            let quirks = jsim.state().settings.quirks.clone();
            respond(&command, result, &quirks)
        },
    )
    .await
}

/// The JSON object of the request: the raw body, or a form field holding one (§1.2).
fn parse_request(body: &[u8]) -> Result<Value, ()> {
    if let Ok(v @ Value::Object(_)) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| ())?;
    let object = |s: &str| {
        serde_json::from_str::<Value>(s)
            .ok()
            .filter(Value::is_object)
    };
    for name in ["data", "json", "request", "query"] {
        if let Some(v) = fields
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| object(v))
        {
            return Ok(v);
        }
    }
    fields.iter().find_map(|(_, v)| object(v)).ok_or(())
}

/// `http://host:port` as the client addressed us, for absolute image links.
fn base_url(headers: &HeaderMap, addr: std::net::SocketAddr) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| addr.to_string());
    format!("http://{host}")
}

fn respond(command: &str, result: Result<Value, String>, quirks: &Quirks) -> Response {
    let body = match result {
        Ok(Value::Object(mut fields)) => {
            let mut o = serde_json::Map::new();
            o.insert("status".into(), json!("ok"));
            o.append(&mut fields);
            Value::Object(o)
        }
        Ok(other) => json!({"status": "ok", "result": other}),
        Err(message) => {
            tracing::debug!(%command, %message, "JPOS error answer");
            json!({"status": "error", "message": message})
        }
    };
    let mut text = serde_json::to_string(&body).unwrap_or_default();
    if quirks.escape_unicode {
        text = php_escape(&text);
    }
    let content_type = if quirks.php_noise {
        text = format!(
            "\u{feff}<br />\n<b>Notice</b>:  Undefined index: HTTP_X_FORWARDED_FOR in <b>/var/www/jpos/index.php</b> on line <b>12</b><br />\n{text}"
        );
        "text/html; charset=UTF-8"
    } else {
        "application/json; charset=utf-8"
    };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        text,
    )
        .into_response()
}

/// PHP's default `json_encode`: non-ASCII as `\uXXXX` (UTF-16) and `/` as `\/`. Both only occur
/// inside strings, so the whole text can be rewritten.
fn php_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    for c in json.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// What nginx in front of PHP answers when PHP dies: HTML, not a JPOS envelope.
fn html_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let body = format!(
        "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        body,
    )
        .into_response()
}

/// A picture linked by the getTT document. The product that links the path gives the
/// picture its subject (a burger named "двойной чизбургер" gets two patties); a path no product
/// links is still drawn from its kind, so a link survives a menu edit.
async fn image(
    State(sim): State<Arc<Sim>>,
    Extension(jsim): Extension<Arc<JupiterSim>>,
    Path((kind, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let seed = images::file_number::<u64>(&file);
    let (Some(seed), true) = (seed, menu::IMAGE_KINDS.contains(&kind.as_str())) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path = format!("/images/{kind}/{file}");
    let subject = jsim.state().menu.picture_subject(&path);
    let subject = subject.unwrap_or(Subject::Single {
        kind,
        name: String::new(),
    });
    match sim.images.picture(&path, subject, seed).await {
        Some(pic) => images::respond(&pic, &headers),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_from_the_body_or_a_form_field() {
        assert!(parse_request(br#"{"command":"getTT"}"#).is_ok());
        let form = b"data=%7B%22command%22%3A%22getTT%22%7D";
        assert_eq!(parse_request(form).unwrap()["command"], "getTT");
        let other = b"x=1&payload=%7B%22command%22%3A%22getTT%22%7D";
        assert_eq!(parse_request(other).unwrap()["command"], "getTT");
        assert!(parse_request(b"not json").is_err());
        assert!(parse_request(b"[1,2]").is_err());
    }

    #[test]
    fn php_escaping_is_reversible_json() {
        let text =
            serde_json::to_string(&json!({"name": "Суши 🍣", "image": "http://x/a.png"})).unwrap();
        let escaped = php_escape(&text);
        assert!(escaped.is_ascii());
        assert!(escaped.contains("\\/"));
        let back: Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["name"], "Суши 🍣");
    }
}
