//! Fault injection: making the simulator fail the way gateways fail in the field.
//!
//! Faults are switched on and off at run time (`POST/DELETE /_sim/faults` or
//! [`crate::SimControl::add_fault`]), per method, for a number of calls or until cleared. They
//! are applied by [`guard`], which wraps every ProCart (and, on request, payment) handler, so
//! the handlers stay free of fault logic. Two phases matter:
//!
//! * before the handler runs (nothing happens in the POS): latency, 5xx, reset, hang, invalid
//!   token, licence expired, cash server down;
//! * after it ran (the POS did the work, the answer is lost or broken): malformed JSON, a
//!   truncated body, `commit_then_drop` and `commit_then_hang` — the case a kiosk must
//!   reconcile by `external_id` before it posts again.
//!
//! Dropping a connection uses [`crate::net::ConnHandle::kill`], so the client sees a real reset,
//! not an HTTP error; a truncated body is written by the connection itself
//! ([`crate::net::ConnHandle::send_raw_and_close`]), so the client gets the head and half the
//! body, then a clean end of stream.

use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::error::ApiError;
use crate::net::ConnHandle;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Adds `latency_ms` before answering (combines with other faults).
    Latency,
    /// Answers `status` (default 500) with the error envelope; nothing is done.
    HttpError,
    /// Resets the connection without answering; nothing is done.
    ConnectionReset,
    /// Never answers (for `hang_ms`, default 120 s, then resets); nothing is done.
    Hang,
    /// Does the work, then answers 200 with a body that is not JSON.
    MalformedJson,
    /// Does the work, then sends only half of the body and closes the connection.
    TruncatedBody,
    /// Treats every token as unknown (401; `/ping` says `token_valid: false`).
    InvalidToken,
    /// 503 `LICENSE_INVALID`; `/ping` reports the licence as invalid.
    LicenceExpired,
    /// 503 `CASH_SERVER_UNAVAILABLE`; `/ping` answers 200 with `cash_server_available: false`.
    CashServerDown,
    /// Does the work (the order is committed), then resets the connection before answering.
    CommitThenDrop,
    /// Does the work, then never answers (for `hang_ms`), then resets.
    CommitThenHang,
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// `ping`, `getmenu`, `validate`, `postorder`, `getorders`, `close`, `print_info`,
    /// `payments` (the payment simulator); `None` or `"*"` = every ProCart method.
    #[serde(default)]
    pub method: Option<String>,
    pub kind: FaultKind,
    #[serde(default)]
    pub latency_ms: Option<u64>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub hang_ms: Option<u64>,
    /// Fires this many times, then goes away; `None` = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    pub fn new(method: &str, kind: FaultKind) -> Fault {
        Fault {
            method: Some(method.to_string()),
            kind,
            latency_ms: None,
            status: None,
            hang_ms: None,
            times: None,
        }
    }

    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    pub fn latency_ms(mut self, ms: u64) -> Fault {
        self.latency_ms = Some(ms);
        self
    }

    pub fn status(mut self, status: u16) -> Fault {
        self.status = Some(status);
        self
    }

    pub fn hang_ms(mut self, ms: u64) -> Fault {
        self.hang_ms = Some(ms);
        self
    }

    fn matches(&self, method: &str) -> bool {
        match self.method.as_deref() {
            None | Some("*") => method != "payments",
            Some(m) => m == method,
        }
    }
}

/// The active faults.
#[derive(Debug, Default)]
pub struct FaultTable {
    faults: Vec<Fault>,
}

impl FaultTable {
    pub fn add(&mut self, f: Fault) {
        self.faults.push(f);
    }

    pub fn clear(&mut self) {
        self.faults.clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        self.faults.clone()
    }

    /// The faults that fire for this call; counted ones are used up.
    pub fn take(&mut self, method: &str) -> Vec<Fault> {
        let mut fired = Vec::new();
        for f in self.faults.iter_mut().filter(|f| f.matches(method)) {
            fired.push(f.clone());
            if let Some(t) = f.times.as_mut() {
                *t = t.saturating_sub(1);
            }
        }
        self.faults.retain(|f| f.times != Some(0));
        fired
    }
}

const DEFAULT_HANG: Duration = Duration::from_secs(120);

/// Sleeps, but wakes up when the server stops so shutdown never waits on a fault.
pub async fn sleep_or_stop(d: Duration, stopping: &mut watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = stopping.wait_for(|s| *s) => {}
    }
}

/// Conditions the handler itself must know about (`/ping` reports them instead of failing).
#[derive(Debug, Default, Clone, Copy)]
pub struct Conditions {
    pub invalid_token: bool,
    pub licence_expired: bool,
    pub cash_server_down: bool,
}

/// Runs `handler` under the faults that fire for `method`.
///
/// `reports_conditions` is true for `/ping`, which answers 200 and shows the licence, cash
/// server and token conditions in its body instead of failing.
pub async fn guard<F, Fut>(
    fired: Vec<Fault>,
    conn: &ConnHandle,
    mut stopping: watch::Receiver<bool>,
    reports_conditions: bool,
    handler: F,
) -> Response
where
    F: FnOnce(Conditions) -> Fut,
    Fut: Future<Output = Response>,
{
    let mut cond = Conditions::default();
    for f in &fired {
        if f.kind == FaultKind::Latency {
            sleep_or_stop(
                Duration::from_millis(f.latency_ms.unwrap_or(1000)),
                &mut stopping,
            )
            .await;
        }
    }
    for f in &fired {
        match f.kind {
            FaultKind::HttpError => {
                let status = f
                    .status
                    .and_then(|s| StatusCode::from_u16(s).ok())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                return ApiError::Status {
                    status,
                    code: "INTERNAL",
                    detail: "Внутренняя ошибка сервера (симуляция)".into(),
                }
                .into_response();
            }
            FaultKind::ConnectionReset => {
                conn.kill();
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            FaultKind::Hang => {
                sleep_or_stop(
                    f.hang_ms.map(Duration::from_millis).unwrap_or(DEFAULT_HANG),
                    &mut stopping,
                )
                .await;
                conn.kill();
                return StatusCode::GATEWAY_TIMEOUT.into_response();
            }
            FaultKind::InvalidToken => cond.invalid_token = true,
            FaultKind::LicenceExpired => cond.licence_expired = true,
            FaultKind::CashServerDown => cond.cash_server_down = true,
            _ => {}
        }
    }
    if !reports_conditions {
        if cond.cash_server_down {
            return ApiError::Unavailable {
                code: "CASH_SERVER_UNAVAILABLE",
                detail: "Нет связи с кассовым сервером r_keeper".into(),
            }
            .into_response();
        }
        if cond.licence_expired {
            return ApiError::Unavailable {
                code: "LICENSE_INVALID",
                detail: "Лицензия ProCart недействительна или истекла".into(),
            }
            .into_response();
        }
    }

    let response = handler(cond).await;

    for f in &fired {
        match f.kind {
            FaultKind::CommitThenDrop => {
                conn.kill();
                return response;
            }
            FaultKind::CommitThenHang => {
                sleep_or_stop(
                    f.hang_ms.map(Duration::from_millis).unwrap_or(DEFAULT_HANG),
                    &mut stopping,
                )
                .await;
                conn.kill();
                return response;
            }
            FaultKind::MalformedJson => return malformed(response).await,
            FaultKind::TruncatedBody => return truncated(response, conn).await,
            _ => {}
        }
    }
    response
}

async fn body_bytes(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

/// 200 with something that starts like JSON and is not.
async fn malformed(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    parts.status = StatusCode::OK;
    let mut broken = b"{\"guid\": \"{6F1C2B7A-".to_vec();
    broken.extend_from_slice(b"<html>502 Bad Gateway</html>,,");
    if let Some(half) = bytes.get(..bytes.len() / 3) {
        broken.extend_from_slice(half);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(broken))
}

/// The head of `response` with its full `Content-Length`, then half of its body, then the end of
/// the stream: what a client sees when a gateway dies while answering.
///
/// The bytes go out through [`ConnHandle::send_raw_and_close`] rather than through hyper: hyper
/// will not send a body shorter than its declared length, and a body that fails makes it drop
/// the connection before the head is flushed, which looks like a reset instead.
async fn truncated(response: Response, conn: &ConnHandle) -> Response {
    let (parts, bytes) = body_bytes(response).await;
    let full = bytes.len();
    let mut raw = format!(
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH && name != header::CONNECTION {
            raw.extend_from_slice(name.as_str().as_bytes());
            raw.extend_from_slice(b": ");
            raw.extend_from_slice(value.as_bytes());
            raw.extend_from_slice(b"\r\n");
        }
    }
    // An empty body still promises something, or there would be nothing to cut.
    raw.extend_from_slice(
        format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            full.max(2)
        )
        .as_bytes(),
    );
    raw.extend_from_slice(&bytes[..full / 2]);
    conn.send_raw_and_close(Bytes::from(raw));
    // What hyper makes of this response is discarded by the connection.
    Response::from_parts(parts, Body::empty())
}
