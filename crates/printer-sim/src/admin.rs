//! The simulator's HTTP admin API, for processes that cannot hold a [`SimControl`] (the E2E run,
//! a person at the demo).
//!
//! | route | what |
//! |---|---|
//! | `GET /_sim/state` | mode, delay, counters ([`SimState`]) |
//! | `POST /_sim/mode` | `{"mode": "paper_out", "reply_delay_ms": 0, "drop_after": null}`; omitted fields stay |
//! | `POST /_sim/reset` | forget the received bytes |
//! | `GET /_sim/received` | every byte received, as `application/octet-stream` |
//! | `GET /_sim/slips` | `[{"index": 0, "bytes": 1234, "text": "..."}]` |
//! | `GET /_sim/slips/{n}.png`, `/_sim/slips/{n}.txt` | one slip (`n` from 0, or `last`) |

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::interp::interpret;
use crate::png::Fonts;
use crate::state::{Mode, SimControl, SimState};
use crate::text::to_text;

#[derive(Debug, Deserialize)]
pub struct ModeRequest {
    pub mode: Option<Mode>,
    pub reply_delay_ms: Option<u64>,
    /// `null` clears it; absent leaves it.
    #[serde(default, deserialize_with = "some")]
    pub drop_after: Option<Option<usize>>,
}

/// Tells an explicit `null` (Some(None)) from an absent field (None).
fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<usize>>, D::Error> {
    Option::<usize>::deserialize(d).map(Some)
}

#[derive(Debug, Serialize)]
pub struct SlipInfo {
    pub index: usize,
    pub bytes: usize,
    pub text: String,
}

pub fn routes(control: SimControl) -> Router {
    Router::new()
        .route("/_sim/state", get(state))
        .route("/_sim/mode", post(set_mode))
        .route("/_sim/reset", post(reset))
        .route("/_sim/received", get(received))
        .route("/_sim/slips", get(slips))
        .route("/_sim/slips/{file}", get(slip_file))
        .with_state(control)
}

async fn state(State(c): State<SimControl>) -> Json<SimState> {
    Json(c.state())
}

async fn set_mode(State(c): State<SimControl>, Json(req): Json<ModeRequest>) -> Json<SimState> {
    if let Some(m) = req.mode {
        c.set_mode(m);
    }
    if let Some(ms) = req.reply_delay_ms {
        c.set_reply_delay(Duration::from_millis(ms));
    }
    if let Some(d) = req.drop_after {
        c.set_drop_after(d);
    }
    Json(c.state())
}

async fn reset(State(c): State<SimControl>) -> Json<SimState> {
    c.clear();
    Json(c.state())
}

async fn received(State(c): State<SimControl>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/octet-stream")],
        c.received(),
    )
        .into_response()
}

async fn slips(State(c): State<SimControl>) -> Json<Vec<SlipInfo>> {
    let width = c.width_dots();
    Json(
        c.slips()
            .iter()
            .enumerate()
            .map(|(index, s)| SlipInfo {
                index,
                bytes: s.len(),
                text: to_text(&interpret(s, width)),
            })
            .collect(),
    )
}

fn not_found(what: &str) -> Response {
    (StatusCode::NOT_FOUND, format!("{what}\n")).into_response()
}

async fn slip_file(State(c): State<SimControl>, Path(file): Path<String>) -> Response {
    let Some((which, ext)) = file.rsplit_once('.') else {
        return not_found("expected {n}.png or {n}.txt");
    };
    let slips = c.slips();
    let index = match which {
        "last" => slips.len().checked_sub(1),
        n => n.parse::<usize>().ok().filter(|i| *i < slips.len()),
    };
    let Some(index) = index else {
        return not_found("no such slip");
    };
    let doc = interpret(&slips[index], c.width_dots());
    match ext {
        "txt" => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            to_text(&doc),
        )
            .into_response(),
        "png" => {
            let rendered = tokio::task::spawn_blocking(move || {
                let fonts = Fonts::load_default()?;
                crate::png::render_png(&doc, &fonts)
            })
            .await;
            match rendered {
                Ok(Ok(png)) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
                Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
                Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
            }
        }
        _ => not_found("expected .png or .txt"),
    }
}
