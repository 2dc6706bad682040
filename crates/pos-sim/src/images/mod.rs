//! Dish, combo and category pictures, drawn by the simulator itself (`/images/...`).
//!
//! The demo must look like a real restaurant without downloading anything, so every picture is
//! painted procedurally ([`draw`]) from its kind (burger, drink, fries…) and its code, which
//! varies colours and details deterministically: the same code always gives the same bytes.
//!
//! Pictures are drawn lazily, on the first request, on the blocking pool (painting and JPEG
//! encoding take tens of milliseconds), then kept in memory. A 20,000-dish menu therefore costs
//! nothing at start. Concurrent first requests for one picture share one drawing through a
//! per-key `OnceCell`. Responses carry `ETag` and `Cache-Control` so the kiosk's image cache can
//! revalidate cheaply.

pub mod draw;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use tokio::sync::OnceCell;

use crate::state::{lock, Sim};

pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 600;

/// One encoded picture.
#[derive(Debug)]
pub struct Picture {
    pub jpeg: Bytes,
    pub etag: String,
}

type Slot = Arc<OnceCell<Option<Arc<Picture>>>>;

/// Pictures drawn so far, by `kind/code`.
#[derive(Default)]
pub struct ImageCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl ImageCache {
    fn slot(&self, key: &str) -> Slot {
        lock(&self.slots)
            .entry(key.to_string())
            .or_default()
            .clone()
    }

    pub fn len(&self) -> usize {
        lock(&self.slots).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a picture shows.
enum Subject {
    /// (kind, lower-case name)
    Single(String, String),
    /// A combo: the kinds and names of its groups' default dishes.
    Combo(Vec<(String, String)>),
}

/// What to draw for `/images/{what}/{code}.jpg`, if the menu has such an object.
fn subject(sim: &Sim, what: &str, code: i64) -> Option<(Subject, u64)> {
    let menu = lock(&sim.menu);
    let fx = &menu.fixture;
    match what {
        "dish" => {
            let d = menu.dish(code)?;
            let kind = fx.image_kind(d.category_code, d.image.as_deref());
            Some((Subject::Single(kind, d.name.to_lowercase()), code as u64))
        }
        "combo" => {
            let c = menu.combo(code)?;
            let kinds = c
                .groups
                .iter()
                .filter_map(|g| g.default_dish_code.or(g.items.first().map(|i| i.dish_code)))
                .filter_map(|d| menu.dish(d))
                .map(|d| {
                    (
                        fx.image_kind(d.category_code, d.image.as_deref()),
                        d.name.to_lowercase(),
                    )
                })
                .filter(|(k, _)| k != "combo" && k != "sauce")
                .take(3)
                .collect();
            Some((Subject::Combo(kinds), code as u64))
        }
        "category" => {
            let c = fx.categories.iter().find(|c| c.code == code)?;
            let kind = c.image.clone().unwrap_or_else(|| "burger".to_string());
            Some((Subject::Single(kind, String::new()), code as u64 * 7 + 3))
        }
        _ => None,
    }
}

/// Draws (or fetches) the picture; `None` when the object does not exist.
pub(crate) async fn picture(sim: &Arc<Sim>, what: &str, code: i64) -> Option<Arc<Picture>> {
    let (subject, seed) = subject(sim, what, code)?;
    let slot = sim.images.slot(&format!("{what}/{code}"));
    slot.get_or_init(|| async move {
        let drawn = tokio::task::spawn_blocking(move || {
            let img = match &subject {
                Subject::Single(kind, name) => {
                    draw::draw_item(draw::Item { kind, name }, seed, WIDTH, HEIGHT)
                }
                Subject::Combo(items) => {
                    let items: Vec<draw::Item<'_>> = items
                        .iter()
                        .map(|(kind, name)| draw::Item { kind, name })
                        .collect();
                    draw::draw_combo(&items, seed, WIDTH, HEIGHT)
                }
            };
            draw::encode_jpeg(&img)
        })
        .await;
        match drawn {
            Ok(Ok(jpeg)) => {
                let etag = format!("\"{:016x}\"", fnv1a(&jpeg));
                Some(Arc::new(Picture {
                    jpeg: Bytes::from(jpeg),
                    etag,
                }))
            }
            Ok(Err(e)) => {
                tracing::error!("cannot encode picture: {e}");
                None
            }
            Err(e) => {
                tracing::error!("picture task failed: {e}");
                None
            }
        }
    })
    .await
    .clone()
}

fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

async fn image(
    State(sim): State<Arc<Sim>>,
    Path((what, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let code = file
        .strip_suffix(".jpg")
        .or_else(|| file.strip_suffix(".jpeg"))
        .and_then(|c| c.parse::<i64>().ok());
    let Some(code) = code else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(pic) = picture(&sim, &what, code).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = HeaderValue::from_str(&pic.etag).unwrap_or(HeaderValue::from_static("\"0\""));
    let cache = HeaderValue::from_static("public, max-age=86400");
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == pic.etag || t.trim() == "*")
        });
    if not_modified {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        pic.jpeg.clone(),
    )
        .into_response()
}

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new().route("/images/{what}/{file}", get(image))
}
