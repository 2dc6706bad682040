//! Fault injection for the HTTP simulators: the ways acquiring APIs fail in the field.
//!
//! Faults are set per method (T-Bank's `Init`, `GetState`, ...; YooKassa's `create_payment`,
//! `get_payment`, `cancel_payment`, `create_refund`, `get_refund`; `*` for all), for a number
//! of calls or until cleared. [`guard`] applies them around a handler, in two phases:
//! - before the handler (nothing is done): `http_500`, `hang`, `processing` (YooKassa's 202);
//! - after it (the work is done, the answer is lost): `commit_then_500`, `commit_then_hang`:
//!   the unknown-outcome case a client must resolve by asking, never by doing it again.
//!
//! `pay_during_cancel` is read by the cancel handlers themselves: the customer pays in the very
//! second the kiosk cancels the QR.

use std::future::Future;
use std::time::Duration;

use axum::response::Response;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 500 without doing anything.
    #[serde(rename = "http_500")]
    Http500,
    /// Holds the request for `hang_ms` (default 120 s), then 504, without doing anything.
    Hang,
    /// YooKassa: 202 "processing" without doing anything.
    Processing,
    /// Does the work, then answers 500.
    #[serde(rename = "commit_then_500")]
    CommitThen500,
    /// Does the work, then holds the answer for `hang_ms` (the client times out).
    CommitThenHang,
    /// Cancel: the payment is confirmed just before the cancel is applied.
    PayDuringCancel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// The method, or `*` / absent for every method.
    #[serde(default)]
    pub method: Option<String>,
    pub kind: FaultKind,
    #[serde(default)]
    pub hang_ms: Option<u64>,
    /// Fires this many times, then goes away; absent = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    pub fn new(method: &str, kind: FaultKind) -> Fault {
        Fault {
            method: Some(method.to_string()),
            kind,
            hang_ms: None,
            times: None,
        }
    }

    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    pub fn hang_ms(mut self, ms: u64) -> Fault {
        self.hang_ms = Some(ms);
        self
    }

    fn matches(&self, method: &str) -> bool {
        matches!(self.method.as_deref(), None | Some("*")) || self.method.as_deref() == Some(method)
    }
}

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

pub fn has(fired: &[Fault], kind: FaultKind) -> bool {
    fired.iter().any(|f| f.kind == kind)
}

const DEFAULT_HANG: Duration = Duration::from_secs(120);

/// Sleeps, but wakes up when the server stops so that shutdown never waits on a fault.
pub async fn sleep_or_stop(d: Duration, stopping: &mut watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = stopping.wait_for(|s| *s) => {}
    }
}

/// The responses a simulator gives for the generic faults, in its own API's style.
pub trait FaultResponses {
    fn internal_error(&self) -> Response;
    fn processing(&self) -> Response;
    fn gateway_timeout(&self) -> Response;
}

/// Runs `handler` under the faults that fired for this call.
pub async fn guard<R, F, Fut>(
    fired: &[Fault],
    responses: &R,
    mut stopping: watch::Receiver<bool>,
    handler: F,
) -> Response
where
    R: FaultResponses,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Response>,
{
    for f in fired {
        match f.kind {
            FaultKind::Http500 => return responses.internal_error(),
            FaultKind::Processing => return responses.processing(),
            FaultKind::Hang => {
                let d = f.hang_ms.map(Duration::from_millis).unwrap_or(DEFAULT_HANG);
                sleep_or_stop(d, &mut stopping).await;
                return responses.gateway_timeout();
            }
            _ => {}
        }
    }
    let response = handler().await;
    for f in fired {
        match f.kind {
            FaultKind::CommitThen500 => return responses.internal_error(),
            FaultKind::CommitThenHang => {
                let d = f.hang_ms.map(Duration::from_millis).unwrap_or(DEFAULT_HANG);
                sleep_or_stop(d, &mut stopping).await;
                return response;
            }
            _ => {}
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_on_the_wire() {
        let f: Fault =
            serde_json::from_str(r#"{"method":"Init","kind":"commit_then_500"}"#).unwrap();
        assert_eq!(f.kind, FaultKind::CommitThen500);
        let f: Fault = serde_json::from_str(r#"{"kind":"http_500","times":1}"#).unwrap();
        assert_eq!(f.kind, FaultKind::Http500);
        let f: Fault = serde_json::from_str(r#"{"kind":"pay_during_cancel"}"#).unwrap();
        assert_eq!(f.kind, FaultKind::PayDuringCancel);
    }

    #[test]
    fn counted_faults_wear_off() {
        let mut t = FaultTable::default();
        t.add(Fault::new("Init", FaultKind::Http500).times(1));
        t.add(Fault::new("*", FaultKind::Hang));
        assert_eq!(t.take("Init").len(), 2);
        assert_eq!(t.take("Init").len(), 1);
        assert_eq!(t.take("GetState").len(), 1);
        t.clear();
        assert!(t.take("Init").is_empty());
    }
}
