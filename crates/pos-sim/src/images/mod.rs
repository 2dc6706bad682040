//! Dish, combo and category pictures, drawn by the simulator itself (`/images/...`).
//!
//! The demo must look like a real restaurant without downloading anything, so every picture is
//! painted procedurally ([`draw`]) from its kind (burger, drink, fries…) and its code, which
//! varies colours and details deterministically: the same code always gives the same bytes.
//!
//! Pictures are drawn lazily, on the first request, on the blocking pool (painting and JPEG
//! encoding take tens of milliseconds), at most one per core at a time, then kept in memory. A 20,000-dish menu therefore costs
//! nothing at start. Concurrent first requests for one picture share one drawing through a
//! per-key `OnceCell`. Responses carry `ETag` and `Cache-Control` so the kiosk's image cache can
//! revalidate cheaply.
//!
//! Both simulators share the cache and the answer ([`ImageCache::picture`], `respond`); only
//! the lookup differs. ProCart's routes name objects (`/images/dish/{code}.jpg`, resolved here
//! against the fixture); Jupiter's links name a picture kind and a number
//! (`/images/burger/1001.jpg`, resolved by [`crate::jupiter`] against its getTT document). The
//! same kind, name and seed give the same bytes, so the Jupiter demo shows the very pictures of
//! the ProCart demo.

pub mod draw;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use tokio::sync::{OnceCell, Semaphore};

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

/// Pictures drawn so far, by key (`dish/1001`, `/images/burger/1001.jpg`).
pub struct ImageCache {
    slots: Mutex<HashMap<String, Slot>>,
    /// Drawing is CPU-bound: a kiosk asking for a whole menu at once must not start one
    /// painting thread per picture, or every picture takes as long as all of them.
    drawing: Semaphore,
}

impl Default for ImageCache {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        ImageCache {
            slots: Mutex::new(HashMap::new()),
            drawing: Semaphore::new(cores),
        }
    }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// One item: its picture kind and its lower-case name (whose words pick details).
    Single { kind: String, name: String },
    /// A combo: the kinds and lower-case names of the items it is made of.
    Combo(Vec<(String, String)>),
}

impl ImageCache {
    /// The picture stored under `key`, drawn from `subject` and `seed` on first use; `None`
    /// when it cannot be encoded (logged). The key, not the subject, identifies the picture:
    /// callers derive both from the same object, so a key always means one drawing.
    pub async fn picture(&self, key: &str, subject: Subject, seed: u64) -> Option<Arc<Picture>> {
        let slot = self.slot(key);
        slot.get_or_init(|| async move {
            // The semaphore is never closed, so this only waits its turn.
            let _turn = self.drawing.acquire().await.ok();
            let drawn = tokio::task::spawn_blocking(move || draw_subject(&subject, seed)).await;
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
}

/// Paints and encodes one picture (CPU-bound: run it on the blocking pool).
fn draw_subject(subject: &Subject, seed: u64) -> Result<Vec<u8>, image::ImageError> {
    let img = match subject {
        Subject::Single { kind, name } => {
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
}

/// What to draw for ProCart's `/images/{what}/{code}.jpg`, if the menu has such an object.
fn subject(sim: &Sim, what: &str, code: i64) -> Option<(Subject, u64)> {
    let menu = lock(&sim.menu);
    let fx = &menu.fixture;
    match what {
        "dish" => {
            let d = menu.dish(code)?;
            let kind = fx.image_kind(d.category_code, d.image.as_deref());
            Some((
                Subject::Single {
                    kind,
                    name: d.name.to_lowercase(),
                },
                code as u64,
            ))
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
            Some((
                Subject::Single {
                    kind,
                    name: String::new(),
                },
                code as u64 * 7 + 3,
            ))
        }
        _ => None,
    }
}

fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The numeric stem of `{n}.jpg` / `{n}.jpeg`.
pub(crate) fn file_number<T: std::str::FromStr>(file: &str) -> Option<T> {
    file.strip_suffix(".jpg")
        .or_else(|| file.strip_suffix(".jpeg"))
        .and_then(|n| n.parse().ok())
}

/// The HTTP answer for a picture: the JPEG with `ETag` and `Cache-Control`, or 304 when the
/// client's `If-None-Match` already names it.
pub(crate) fn respond(pic: &Picture, headers: &HeaderMap) -> Response {
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

async fn image(
    State(sim): State<Arc<Sim>>,
    Path((what, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(code) = file_number::<i64>(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((subject, seed)) = subject(&sim, &what, code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match sim
        .images
        .picture(&format!("{what}/{code}"), subject, seed)
        .await
    {
        Some(pic) => respond(&pic, &headers),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new().route("/images/{what}/{file}", get(image))
}
