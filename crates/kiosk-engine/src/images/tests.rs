//! The picture pipeline against a tiny scripted HTTP server on 127.0.0.1:0: sizes, dedup of
//! concurrent requests, content addressing, the cap with LRU eviction, restarts, damage on
//! disk, broken and hostile pictures, fast failures, and revalidation.

use std::collections::HashMap;
use std::sync::Mutex as StdMutex;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::*;

#[derive(Clone)]
enum Route {
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
    },
    Status(u16),
    /// Answers only after the gate is opened.
    Gated(Vec<u8>, Arc<Notify>),
}

#[derive(Default)]
struct Log {
    hits: HashMap<String, usize>,
    not_modified: usize,
}

struct Server {
    base: String,
    routes: Arc<StdMutex<HashMap<String, Route>>>,
    log: Arc<StdMutex<Log>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<StdMutex<HashMap<String, Route>>> = Arc::default();
        let log: Arc<StdMutex<Log>> = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (r, l) = (r.clone(), l.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16384 {
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head).to_string();
                    let path = text.split(' ').nth(1).unwrap_or("/").to_string();
                    let inm = text.lines().find_map(|h| {
                        let (k, v) = h.split_once(':')?;
                        k.eq_ignore_ascii_case("if-none-match")
                            .then(|| v.trim().to_string())
                    });
                    *l.lock().unwrap().hits.entry(path.clone()).or_default() += 1;
                    let route = r.lock().unwrap().get(&path).cloned();
                    let (status, body, etag) = match route {
                        None => (404, b"not found".to_vec(), None),
                        Some(Route::Status(s)) => (s, b"error".to_vec(), None),
                        Some(Route::Gated(bytes, gate)) => {
                            gate.notified().await;
                            (200, bytes, None)
                        }
                        Some(Route::Body { bytes, etag }) => {
                            if etag.is_some() && inm == etag {
                                l.lock().unwrap().not_modified += 1;
                                (304, vec![], etag)
                            } else {
                                (200, bytes, etag)
                            }
                        }
                    };
                    let mut resp = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        body.len()
                    );
                    if let Some(e) = etag {
                        resp.push_str(&format!("ETag: {e}\r\n"));
                    }
                    resp.push_str("\r\n");
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.write_all(&body).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server {
            base,
            routes,
            log,
            task,
        }
    }

    fn route(&self, path: &str, route: Route) -> String {
        self.routes.lock().unwrap().insert(path.to_string(), route);
        format!("{}{path}", self.base)
    }

    fn picture(&self, path: &str, bytes: Vec<u8>) -> String {
        self.route(path, Route::Body { bytes, etag: None })
    }

    fn hits(&self, path: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn encoded(img: DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8 ^ seed,
            (y * 255 / h) as u8,
            seed.wrapping_mul(37),
        ])
    });
    encoded(DynamicImage::ImageRgb8(img), image::ImageFormat::Jpeg)
}

fn settings() -> ImageSettings {
    ImageSettings {
        concurrency: 2,
        serve_wait: Duration::from_secs(30),
        ..ImageSettings::default()
    }
}

fn cache(dir: &Path, s: ImageSettings) -> ImageCache {
    ImageCache::with_settings(dir.to_path_buf(), s).unwrap()
}

fn blob_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("blobs"))
        .unwrap()
        .flatten()
        .map(|d| std::fs::read_dir(d.path()).unwrap().count())
        .sum()
}

#[tokio::test]
async fn one_download_gives_both_sizes() {
    let srv = Server::start().await;
    let url = srv.picture("/big.jpg", jpeg(1600, 1200, 1));
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), settings());
    let card = image::load_from_memory(&c.get(&url, ImageSize::Card).await.unwrap()).unwrap();
    let detail = image::load_from_memory(&c.get(&url, ImageSize::Detail).await.unwrap()).unwrap();
    assert_eq!((card.width(), card.height()), (320, 240));
    assert_eq!((detail.width(), detail.height()), (1200, 900));
    assert_eq!(srv.hits("/big.jpg"), 1);
    assert_eq!(c.stats().made, 1);
    assert_eq!(blob_files(dir.path()), 2);
}

#[tokio::test]
async fn concurrent_requests_for_one_picture_share_one_download() {
    let srv = Server::start().await;
    let gate = Arc::new(Notify::new());
    let url = srv.route("/slow.jpg", Route::Gated(jpeg(800, 600, 2), gate.clone()));
    let dir = tempfile::tempdir().unwrap();
    let c = Arc::new(cache(dir.path(), settings()));
    let mut gets = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (c, url) = (c.clone(), url.clone());
        let size = if i % 2 == 0 {
            ImageSize::Card
        } else {
            ImageSize::Detail
        };
        gets.spawn(async move { c.get(&url, size).await });
    }
    while srv.hits("/slow.jpg") == 0 {
        tokio::task::yield_now().await;
    }
    gate.notify_waiters();
    while let Some(r) = gets.join_next().await {
        r.unwrap().unwrap();
    }
    assert_eq!(srv.hits("/slow.jpg"), 1);
    assert_eq!(c.stats().made, 1);
}

#[tokio::test]
async fn identical_pictures_are_stored_once() {
    let srv = Server::start().await;
    let a = srv.picture("/a.jpg", jpeg(900, 600, 3));
    let b = srv.picture("/copy-of-a.jpg", jpeg(900, 600, 3));
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), settings());
    let x = c.get(&a, ImageSize::Card).await.unwrap();
    let y = c.get(&b, ImageSize::Card).await.unwrap();
    assert_eq!(x, y);
    assert_eq!(blob_files(dir.path()), 2, "one card and one detail");
    assert_eq!(
        std::fs::read_dir(dir.path().join("refs")).unwrap().count(),
        2
    );
}

#[tokio::test]
async fn the_cap_is_kept_by_removing_the_least_recently_used() {
    let srv = Server::start().await;
    // Small pictures: card and detail are the same bytes, one blob each.
    let pics: Vec<Vec<u8>> = (0..4).map(|i| jpeg(64, 48, 10 + i)).collect();
    let size = |p: &Vec<u8>| make_sizes(p).unwrap().0.len() as u64;
    let urls: Vec<String> = pics
        .iter()
        .enumerate()
        .map(|(i, p)| srv.picture(&format!("/p{i}.jpg"), p.clone()))
        .collect();
    // Room for pictures 0, 2 and 3 but not for all four.
    let keep = size(&pics[0]) + size(&pics[2]) + size(&pics[3]);
    let cap = keep * 10 / 9 + 10;
    assert!(keep + size(&pics[1]) > cap);
    let dir = tempfile::tempdir().unwrap();
    let c = cache(
        dir.path(),
        ImageSettings {
            cap_bytes: cap,
            ..settings()
        },
    );
    for u in &urls[..3] {
        c.get(u, ImageSize::Card).await.unwrap();
    }
    c.get(&urls[0], ImageSize::Card).await.unwrap(); // 0 is now more recent than 1
    c.get(&urls[3], ImageSize::Card).await.unwrap();
    let st = c.stats();
    assert_eq!(st.evicted, 1);
    assert!(st.bytes <= cap, "{st:?}");
    for i in [0, 2, 3] {
        c.get(&urls[i], ImageSize::Card).await.unwrap();
        assert_eq!(srv.hits(&format!("/p{i}.jpg")), 1, "picture {i} stayed");
    }
    c.get(&urls[1], ImageSize::Card).await.unwrap();
    assert_eq!(
        srv.hits("/p1.jpg"),
        2,
        "picture 1 was removed and is made again"
    );
}

#[tokio::test]
async fn pictures_survive_a_restart_and_damage_on_disk_is_caught() {
    let srv = Server::start().await;
    let url = srv.picture("/keep.jpg", jpeg(1000, 800, 4));
    let dir = tempfile::tempdir().unwrap();
    let first = cache(dir.path(), settings())
        .get(&url, ImageSize::Card)
        .await
        .unwrap();
    // A new process on the same folder: straight from disk.
    let c = cache(dir.path(), settings());
    assert_eq!(c.get(&url, ImageSize::Card).await.unwrap(), first);
    assert_eq!(srv.hits("/keep.jpg"), 1);
    // Damage every blob; the next process notices and makes the picture again.
    for d in std::fs::read_dir(dir.path().join("blobs"))
        .unwrap()
        .flatten()
    {
        for f in std::fs::read_dir(d.path()).unwrap().flatten() {
            std::fs::write(f.path(), b"\xff\xd8 not really").unwrap();
        }
    }
    let c = cache(dir.path(), settings());
    assert_eq!(c.get(&url, ImageSize::Card).await.unwrap(), first);
    assert_eq!(srv.hits("/keep.jpg"), 2);
}

#[tokio::test]
async fn broken_and_missing_pictures_fail_and_then_fail_fast() {
    let srv = Server::start().await;
    let html = srv.picture("/html.jpg", b"<html>Not found</html>".to_vec());
    let missing = srv.route("/missing.jpg", Route::Status(404));
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), settings());
    assert!(matches!(
        c.get(&html, ImageSize::Card).await,
        Err(ImageError::Decode(_))
    ));
    assert_eq!(
        c.get(&missing, ImageSize::Card).await,
        Err(ImageError::Fetch("HTTP 404 Not Found".into()))
    );
    // Asked again at once: the remembered failure, without the network.
    assert!(matches!(
        c.get(&html, ImageSize::Detail).await,
        Err(ImageError::Decode(_))
    ));
    assert!(c.get(&missing, ImageSize::Card).await.is_err());
    assert_eq!((srv.hits("/html.jpg"), srv.hits("/missing.jpg")), (1, 1));
    assert_eq!(c.stats().failed, 2);
}

#[tokio::test]
async fn a_host_that_is_down_is_not_contacted_again_for_a_while() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), settings());
    assert!(matches!(
        c.get(&format!("{base}/a.jpg"), ImageSize::Card).await,
        Err(ImageError::Fetch(_))
    ));
    assert_eq!(
        c.get(&format!("{base}/b.jpg"), ImageSize::Card).await,
        Err(ImageError::HostDown)
    );
}

#[tokio::test]
async fn a_slow_picture_does_not_hold_the_page_and_is_ready_later() {
    let srv = Server::start().await;
    let gate = Arc::new(Notify::new());
    let url = srv.route("/slow.jpg", Route::Gated(jpeg(640, 480, 5), gate.clone()));
    let dir = tempfile::tempdir().unwrap();
    let c = Arc::new(cache(
        dir.path(),
        ImageSettings {
            serve_wait: Duration::from_millis(200),
            ..settings()
        },
    ));
    assert_eq!(
        c.get(&url, ImageSize::Card).await,
        Err(ImageError::Slow),
        "the UI shows its placeholder"
    );
    gate.notify_waiters();
    // Prefetch joins the job that is still running and waits for it.
    c.clone().prefetch(vec![url.clone()]).await;
    assert!(c.get(&url, ImageSize::Card).await.is_ok());
    assert_eq!(srv.hits("/slow.jpg"), 1);
}

#[tokio::test]
async fn oversized_downloads_are_refused() {
    let srv = Server::start().await;
    let url = srv.picture("/huge.jpg", jpeg(800, 600, 6));
    let dir = tempfile::tempdir().unwrap();
    let c = cache(
        dir.path(),
        ImageSettings {
            max_download: 1000,
            ..settings()
        },
    );
    assert_eq!(
        c.get(&url, ImageSize::Card).await,
        Err(ImageError::TooLarge(1000))
    );
}

#[tokio::test]
async fn prefetch_makes_everything_once_and_revalidates_cheaply() {
    let srv = Server::start().await;
    let urls: Vec<String> = (0..5)
        .map(|i| {
            srv.route(
                &format!("/d{i}.jpg"),
                Route::Body {
                    bytes: jpeg(700, 500, 20 + i),
                    etag: Some(format!("\"e{i}\"")),
                },
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let c = Arc::new(cache(
        dir.path(),
        ImageSettings {
            revalidate_after: Duration::ZERO,
            ..settings()
        },
    ));
    let mut list = urls.clone();
    list.push(urls[0].clone());
    c.clone().prefetch(list.clone()).await;
    assert_eq!(c.stats().made, 5);
    for (i, u) in urls.iter().enumerate() {
        c.get(u, ImageSize::Detail).await.unwrap();
        assert_eq!(srv.hits(&format!("/d{i}.jpg")), 1);
    }
    // Everything is due for revalidation: five conditional requests, nothing decoded.
    c.clone().prefetch(list).await;
    assert_eq!(srv.log.lock().unwrap().not_modified, 5);
    let st = c.stats();
    assert_eq!((st.made, st.revalidated), (5, 5));
}

#[tokio::test]
async fn pictures_made_by_an_older_recipe_are_served_until_made_again() {
    let srv = Server::start().await;
    let url = srv.route(
        "/old.jpg",
        Route::Body {
            bytes: jpeg(1600, 1200, 30),
            etag: Some("\"o\"".into()),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    Arc::new(cache(dir.path(), settings()))
        .prefetch(vec![url.clone()])
        .await;
    // What an older version left: a 480×360 card, and a ref without a recipe.
    let old_card = jpeg(480, 360, 31);
    let hash = sha256_hex(&old_card);
    let blob = dir.path().join("blobs").join(&hash[..2]);
    std::fs::create_dir_all(&blob).unwrap();
    std::fs::write(blob.join(format!("{hash}.jpg")), &old_card).unwrap();
    let ref_file = std::fs::read_dir(dir.path().join("refs"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let mut r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&ref_file).unwrap()).unwrap();
    r["card"] = hash.into();
    r.as_object_mut().unwrap().remove("recipe");
    std::fs::write(&ref_file, serde_json::to_vec(&r).unwrap()).unwrap();

    let c = Arc::new(cache(dir.path(), settings()));
    let dims = |bytes: Vec<u8>| {
        let i = image::load_from_memory(&bytes).unwrap();
        (i.width(), i.height())
    };
    assert_eq!(
        dims(c.get(&url, ImageSize::Card).await.unwrap()),
        (480, 360)
    );
    // The validators still match, but a conditional request would keep the old card: the
    // picture is downloaded and made again.
    c.clone().prefetch(vec![url.clone()]).await;
    assert_eq!((srv.hits("/old.jpg"), c.stats().made), (2, 1));
    assert_eq!(
        dims(c.get(&url, ImageSize::Card).await.unwrap()),
        (320, 240)
    );
    // Made under this recipe, it is fresh again.
    c.clone().prefetch(vec![url.clone()]).await;
    assert_eq!(srv.hits("/old.jpg"), 2);
}

#[test]
fn decompression_bombs_are_refused_from_their_header() {
    // A PNG header claiming 100000 × 100000 pixels.
    let mut png = encoded(
        DynamicImage::ImageLuma8(image::GrayImage::new(1, 1)),
        image::ImageFormat::Png,
    );
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    assert!(matches!(decode(&png), Err(ImageError::Decode(_))));
    // JPEGs whose frame header (SOF0: FF C0, length, precision, height, width) claims
    // 60000 × 60000 (past the side limit) and 7900 × 7900 (within it, past the memory limit).
    let small = jpeg(16, 16, 7);
    let sof = small.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    for side in [60_000u16, 7_900] {
        let mut bomb = small.clone();
        bomb[sof + 5..sof + 7].copy_from_slice(&side.to_be_bytes());
        bomb[sof + 7..sof + 9].copy_from_slice(&side.to_be_bytes());
        let err = decode(&bomb).unwrap_err();
        assert!(matches!(err, ImageError::Decode(_)), "{side}: {err:?}");
    }
}

#[test]
fn what_is_not_a_picture_is_refused() {
    for bytes in [
        b"".to_vec(),
        b"<html>not found</html>".to_vec(),
        b"GIF89a".to_vec(),
        b"\xff\xd8\xff\xe0 cut".to_vec(),
    ] {
        assert!(make_sizes(&bytes).is_err(), "{bytes:?}");
    }
    let mut truncated = jpeg(64, 64, 8);
    truncated.truncate(40);
    assert!(make_sizes(&truncated).is_err());
}

#[test]
fn transparency_becomes_white_not_black() {
    let img = image::RgbaImage::from_pixel(600, 600, image::Rgba([0, 0, 0, 0]));
    let png = encoded(DynamicImage::ImageRgba8(img), image::ImageFormat::Png);
    let card = image::load_from_memory(&resize_to_jpeg(&png, ImageSize::Card).unwrap())
        .unwrap()
        .to_rgb8();
    assert_eq!(card.dimensions(), (240, 240));
    assert!(card.pixels().all(|p| p.0.iter().all(|c| *c > 245)));
}
