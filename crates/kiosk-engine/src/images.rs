//! Menu pictures: downloaded once, checked, resized, kept on disk, served to the web view.
//!
//! A POS's picture may be huge, broken, slow, or not a picture at all, and the customer must
//! never wait for it or see a broken icon. So:
//!
//! - **One job per picture.** A picture is downloaded once (timeout, byte limit, bounded
//!   concurrency), decoded once under dimension and memory limits (a decompression bomb is
//!   refused from its header, never decoded), resized to both sizes the screens use (grid card
//!   and dish sheet) and encoded once as JPEG. Requests for a picture that is being made join
//!   that job instead of starting another.
//! - **Content-addressed on disk.** Encoded pictures are stored under the SHA-256 of their bytes
//!   (`blobs/ab/ab12….jpg`), so identical pictures behind different URLs are stored once and a
//!   damaged file is recognised (each blob is verified on its first read by this process). A
//!   small ref file per URL (`refs/….json`) maps the URL to its blobs and keeps the validators
//!   (`ETag`, `Last-Modified`) for cheap revalidation. Both are written by rename, so a crash
//!   leaves the old file or the new one.
//! - **Bounded.** The blobs are capped in total size; past the cap the least recently used are
//!   removed (file modification times carry the recency across restarts).
//! - **Fast answers.** A picture on disk is served at once. One that is not waits at most
//!   [`ImageSettings::serve_wait`]; the job carries on and the next request finds it. A picture
//!   that just failed, or whose host is down, fails at once (for a minute, for 30 s), so a
//!   page full of broken pictures costs nothing and the UI shows its placeholder.
//! - **Prefetched.** After each menu refresh every picture is made ahead of time, a few at a
//!   time and always leaving one download slot free for what the customer is looking at.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use image::{DynamicImage, ImageReader, Limits};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{watch, Semaphore};

/// The biggest picture side we decode.
const MAX_SIDE: u32 = 8_000;
/// The most a decoder may allocate: a 6000×4000 camera photo fits, an 8000×8000 one does not.
const MAX_ALLOC: u64 = 128 * 1024 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// A picture that failed is not tried again on request for this long.
const FAILED_FOR: Duration = Duration::from_secs(60);
/// A host that refused a connection or timed out is not contacted for this long.
const HOST_DOWN_FOR: Duration = Duration::from_secs(30);
/// Recency is written to a blob's mtime at most this often.
const TOUCH_EVERY_S: u64 = 3600;
/// Part of [`RECIPE`].
const JPEG_QUALITY: u8 = 82;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageSize {
    /// The menu grid's card.
    Card,
    /// The dish sheet.
    Detail,
}

impl ImageSize {
    pub fn parse(s: &str) -> Option<ImageSize> {
        match s {
            "card" => Some(ImageSize::Card),
            "detail" => Some(ImageSize::Detail),
            _ => None,
        }
    }

    /// The box the picture is fitted into (aspect ratio kept, never enlarged). The card is the
    /// grid's picture at the device pixels it is shown at: 256×192 on a 1080×1920 portrait
    /// screen, up to about 310×232 on a 1920×1080 one (both at 1 device pixel per CSS pixel,
    /// as kiosk screens are). The web view keeps every picture on screen decoded, 4 bytes a
    /// pixel, so a bigger card costs memory for nothing: 480×360 cost 675 KiB a card.
    pub fn bounds(self) -> (u32, u32) {
        match self {
            ImageSize::Card => (320, 240),
            ImageSize::Detail => (1200, 900),
        }
    }
}

/// What the stored pictures were made for: the sizes and the encoding. A picture made under
/// another recipe (an older version's bigger cards) is served until it is made again, which
/// the next prefetch does.
const RECIPE: &str = "card 320x240, detail 1200x900, jpeg q82";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the picture could not be downloaded: {0}")]
    Fetch(String),
    #[error("the picture's host is not answering; not tried for a while")]
    HostDown,
    #[error("the picture is larger than {0} bytes")]
    TooLarge(usize),
    #[error("not a picture we can read: {0}")]
    Decode(String),
    #[error("the picture is still being made")]
    Slow,
    #[error("the image cache on disk failed: {0}")]
    Disk(String),
}

impl From<std::io::Error> for ImageError {
    fn from(e: std::io::Error) -> ImageError {
        ImageError::Disk(e.to_string())
    }
}

/// Tunables; the defaults are the production values, tests shorten them.
#[derive(Debug, Clone)]
pub struct ImageSettings {
    /// Downloads at once.
    pub concurrency: usize,
    /// Total size of the stored pictures.
    pub cap_bytes: u64,
    /// How long a request waits for a picture that is being made.
    pub serve_wait: Duration,
    /// Prefetch revalidates pictures checked longer ago than this.
    pub revalidate_after: Duration,
    /// The biggest download.
    pub max_download: usize,
    /// Decodes at once (each may hold up to 128 MiB).
    pub cpu: usize,
}

impl Default for ImageSettings {
    fn default() -> Self {
        ImageSettings {
            concurrency: 4,
            cap_bytes: 512 * 1024 * 1024,
            serve_wait: Duration::from_secs(4),
            revalidate_after: Duration::from_secs(24 * 3600),
            max_download: 15 * 1024 * 1024,
            cpu: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        }
    }
}

/// What one URL became: its blobs, and what is needed to revalidate it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Ref {
    url: String,
    card: String,
    detail: String,
    /// SHA-256 of the original download: the same bytes again need no decoding.
    source: String,
    etag: Option<String>,
    last_modified: Option<String>,
    checked_at: u64,
    /// [`RECIPE`] when the blobs were made; refs of older versions have none.
    #[serde(default)]
    recipe: String,
}

impl Ref {
    fn blob(&self, size: ImageSize) -> &str {
        match size {
            ImageSize::Card => &self.card,
            ImageSize::Detail => &self.detail,
        }
    }
}

/// Counters for the service screen and the benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageStats {
    pub blobs: u64,
    pub bytes: u64,
    pub cap_bytes: u64,
    /// Pictures made (downloaded, decoded, resized, stored).
    pub made: u64,
    pub revalidated: u64,
    pub served_from_disk: u64,
    pub failed: u64,
    pub evicted: u64,
}

/// One stored blob in the LRU.
#[derive(Clone, Copy)]
struct Use {
    size: u64,
    /// Last use: unix seconds, then a sequence number for order within a second.
    last: (u64, u64),
    /// When the last use was written to the file's mtime.
    persisted: u64,
}

#[derive(Default)]
struct Lru {
    /// blob hash → its size and recency
    entries: HashMap<String, Use>,
    total: u64,
    seq: u64,
    scanned: bool,
}

type Outcome = Option<Result<Ref, ImageError>>;

struct Inner {
    dir: PathBuf,
    settings: ImageSettings,
    http: reqwest::Client,
    downloads: Semaphore,
    prefetch_slots: Arc<Semaphore>,
    cpu: Semaphore,
    refs: Mutex<HashMap<String, Ref>>,
    inflight: Mutex<HashMap<String, watch::Receiver<Outcome>>>,
    failed: Mutex<HashMap<String, (Instant, ImageError)>>,
    hosts_down: Mutex<HashMap<String, Instant>>,
    lru: Mutex<Lru>,
    verified: Mutex<HashSet<String>>,
    made: AtomicU64,
    revalidated: AtomicU64,
    served: AtomicU64,
    failures: AtomicU64,
    evicted: AtomicU64,
}

pub struct ImageCache {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `scheme://host:port` of a URL, the unit a host-down mark applies to.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#']).next().unwrap_or("").to_string()
}

/// Temp file + rename, without fsync: a cache file lost to a power cut is made again, and a
/// damaged one is caught by its hash (blobs) or its JSON (refs).
fn write_replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

impl ImageCache {
    pub fn new(dir: PathBuf, concurrency: usize) -> Result<ImageCache, ImageError> {
        ImageCache::with_settings(
            dir,
            ImageSettings {
                concurrency,
                ..ImageSettings::default()
            },
        )
    }

    pub fn with_settings(dir: PathBuf, settings: ImageSettings) -> Result<ImageCache, ImageError> {
        std::fs::create_dir_all(dir.join("blobs"))?;
        std::fs::create_dir_all(dir.join("refs"))?;
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ImageError::Fetch(e.to_string()))?;
        let concurrency = settings.concurrency.max(1);
        Ok(ImageCache {
            inner: Arc::new(Inner {
                http,
                downloads: Semaphore::new(concurrency),
                // One download slot always stays free for what is on screen.
                prefetch_slots: Arc::new(Semaphore::new((concurrency - 1).max(1))),
                cpu: Semaphore::new(settings.cpu.max(1)),
                refs: Mutex::default(),
                inflight: Mutex::default(),
                failed: Mutex::default(),
                hosts_down: Mutex::default(),
                lru: Mutex::default(),
                verified: Mutex::default(),
                made: AtomicU64::new(0),
                revalidated: AtomicU64::new(0),
                served: AtomicU64::new(0),
                failures: AtomicU64::new(0),
                evicted: AtomicU64::new(0),
                dir,
                settings,
            }),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The JPEG for `url` at `size`: from disk at once, or made now (waiting at most
    /// `serve_wait`).
    pub async fn get(&self, url: &str, size: ImageSize) -> Result<Vec<u8>, ImageError> {
        let inner = &self.inner;
        if let Some(bytes) = inner.clone().cached(url, size).await {
            return Ok(bytes);
        }
        if let Some(e) = inner.recent_failure(url) {
            return Err(e);
        }
        let rx = inner.start(url, None);
        let made = tokio::time::timeout(inner.settings.serve_wait, wait(rx))
            .await
            .map_err(|_| ImageError::Slow)??;
        inner
            .clone()
            .read_blob(made.blob(size).to_string())
            .await
            .ok_or_else(|| ImageError::Disk("the picture vanished from the cache".into()))
    }

    /// Makes every picture ahead of time (and revalidates old ones), a few at a time; failures
    /// are only logged, the UI shows a placeholder for those.
    pub async fn prefetch(self: Arc<Self>, urls: Vec<String>) {
        let inner = self.inner.clone();
        let planner = inner.clone();
        let plans = tokio::task::spawn_blocking(move || {
            let mut seen = HashSet::new();
            let plans: Vec<(String, Plan)> = urls
                .into_iter()
                .filter(|u| seen.insert(u.clone()))
                .map(|u| {
                    let p = planner.plan(&u);
                    (u, p)
                })
                .collect();
            planner.scan();
            plans
        })
        .await
        .unwrap_or_default();
        let mut tasks = tokio::task::JoinSet::new();
        let (mut fresh, mut queued) = (0usize, 0usize);
        for (url, plan) in plans {
            let revalidate = match plan {
                Plan::Fresh => {
                    fresh += 1;
                    continue;
                }
                Plan::Revalidate(r) => Some(r),
                Plan::Make => None,
            };
            let Ok(slot) = inner.prefetch_slots.clone().acquire_owned().await else {
                return;
            };
            queued += 1;
            let me = inner.clone();
            tasks.spawn(async move {
                if let Err(e) = wait(me.start(&url, revalidate)).await {
                    tracing::debug!(%url, error = %e, "picture not cached");
                }
                drop(slot);
            });
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
        let s = self.stats();
        tracing::info!(
            fresh,
            queued,
            blobs = s.blobs,
            mib = s.bytes / (1024 * 1024),
            failed = s.failed,
            "pictures prefetched"
        );
    }

    pub fn stats(&self) -> ImageStats {
        let i = &self.inner;
        let lru = lock(&i.lru);
        ImageStats {
            blobs: lru.entries.len() as u64,
            bytes: lru.total,
            cap_bytes: i.settings.cap_bytes,
            made: i.made.load(Ordering::Relaxed),
            revalidated: i.revalidated.load(Ordering::Relaxed),
            served_from_disk: i.served.load(Ordering::Relaxed),
            failed: i.failures.load(Ordering::Relaxed),
            evicted: i.evicted.load(Ordering::Relaxed),
        }
    }
}

/// Waits for a job's outcome.
async fn wait(mut rx: watch::Receiver<Outcome>) -> Result<Ref, ImageError> {
    match rx.wait_for(Option::is_some).await {
        Ok(v) => v
            .clone()
            .unwrap_or_else(|| Err(ImageError::Fetch("no outcome".into()))),
        Err(_) => Err(ImageError::Fetch("the picture job stopped".into())),
    }
}

/// Removes a job from the in-flight map however it ends (even by a panic).
struct InflightGuard {
    inner: Arc<Inner>,
    url: String,
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        lock(&self.inner.inflight).remove(&self.url);
    }
}

impl Inner {
    fn ref_path(&self, url: &str) -> PathBuf {
        let key = &sha256_hex(url.as_bytes())[..32];
        self.dir.join("refs").join(format!("{key}.json"))
    }

    fn blob_path(&self, hash: &str) -> PathBuf {
        self.dir
            .join("blobs")
            .join(&hash[..2])
            .join(format!("{hash}.jpg"))
    }

    fn recent_failure(&self, url: &str) -> Option<ImageError> {
        let failed = lock(&self.failed);
        let (at, e) = failed.get(url)?;
        (at.elapsed() < FAILED_FOR).then(|| e.clone())
    }

    fn is_stale(&self, r: &Ref) -> bool {
        unix_now().saturating_sub(r.checked_at) >= self.settings.revalidate_after.as_secs()
    }

    /// The ref of `url`, from memory or its file (blocking).
    fn known(&self, url: &str) -> Option<Ref> {
        if let Some(r) = lock(&self.refs).get(url) {
            return Some(r.clone());
        }
        let bytes = std::fs::read(self.ref_path(url)).ok()?;
        let r: Ref = serde_json::from_slice(&bytes).ok()?;
        // A damaged ref, or another URL's (a collision of the 128-bit name): not ours.
        if r.url != url || !is_hash(&r.card) || !is_hash(&r.detail) {
            return None;
        }
        lock(&self.refs).insert(url.to_string(), r.clone());
        Some(r)
    }

    /// What prefetch does for `url` (blocking).
    fn plan(&self, url: &str) -> Plan {
        match self.known(url) {
            Some(r)
                if r.recipe == RECIPE
                    && self.blob_path(&r.card).exists()
                    && self.blob_path(&r.detail).exists() =>
            {
                if self.is_stale(&r) {
                    Plan::Revalidate(r)
                } else {
                    Plan::Fresh
                }
            }
            _ => Plan::Make,
        }
    }

    /// The picture from disk, if it is there and intact.
    async fn cached(self: Arc<Self>, url: &str, size: ImageSize) -> Option<Vec<u8>> {
        let url = url.to_string();
        let me = self.clone();
        let bytes = tokio::task::spawn_blocking(move || {
            let r = me.known(&url)?;
            me.read_blob_sync(r.blob(size))
        })
        .await
        .ok()
        .flatten()?;
        self.served.fetch_add(1, Ordering::Relaxed);
        Some(bytes)
    }

    async fn read_blob(self: Arc<Self>, hash: String) -> Option<Vec<u8>> {
        tokio::task::spawn_blocking(move || self.read_blob_sync(&hash))
            .await
            .ok()
            .flatten()
    }

    /// Reads a blob, checks it against its name the first time, and records the use.
    fn read_blob_sync(&self, hash: &str) -> Option<Vec<u8>> {
        if !is_hash(hash) {
            return None;
        }
        let path = self.blob_path(hash);
        let bytes = std::fs::read(&path).ok()?;
        if !lock(&self.verified).contains(hash) {
            if sha256_hex(&bytes) != hash {
                tracing::warn!(path = %path.display(), "damaged picture removed from the cache");
                let _ = std::fs::remove_file(&path);
                self.forget_blob(hash);
                return None;
            }
            lock(&self.verified).insert(hash.to_string());
        }
        self.touch(hash, &path, bytes.len() as u64);
        Some(bytes)
    }

    fn forget_blob(&self, hash: &str) {
        let mut lru = lock(&self.lru);
        if let Some(u) = lru.entries.remove(hash) {
            lru.total -= u.size;
        }
        lock(&self.verified).remove(hash);
    }

    /// Marks a blob as just used; persists it to the file's mtime now and then.
    fn touch(&self, hash: &str, path: &Path, size: u64) {
        let now = unix_now();
        let persist = {
            let mut guard = lock(&self.lru);
            let lru = &mut *guard;
            lru.seq += 1;
            let seq = lru.seq;
            match lru.entries.get_mut(hash) {
                Some(e) => {
                    e.last = (now, seq);
                    let due = now.saturating_sub(e.persisted) >= TOUCH_EVERY_S;
                    if due {
                        e.persisted = now;
                    }
                    due
                }
                None => {
                    lru.entries.insert(
                        hash.to_string(),
                        Use {
                            size,
                            last: (now, seq),
                            persisted: now,
                        },
                    );
                    lru.total += size;
                    false
                }
            }
        };
        if persist {
            if let Ok(f) = std::fs::File::options().write(true).open(path) {
                let _ = f.set_modified(SystemTime::now());
            }
        }
    }

    /// Starts the job for `url` unless one is running; returns its outcome channel.
    fn start(self: &Arc<Self>, url: &str, revalidate: Option<Ref>) -> watch::Receiver<Outcome> {
        let mut inflight = lock(&self.inflight);
        if let Some(rx) = inflight.get(url) {
            return rx.clone();
        }
        let (tx, rx) = watch::channel(None);
        inflight.insert(url.to_string(), rx.clone());
        drop(inflight);
        let me = self.clone();
        let url = url.to_string();
        tokio::spawn(async move {
            let _guard = InflightGuard {
                inner: me.clone(),
                url: url.clone(),
            };
            let result = me.make(&url, revalidate).await;
            match &result {
                Ok(_) => {
                    lock(&me.failed).remove(&url);
                }
                Err(ImageError::HostDown) => {}
                Err(e) => {
                    me.failures.fetch_add(1, Ordering::Relaxed);
                    lock(&me.failed).insert(url.clone(), (Instant::now(), e.clone()));
                }
            }
            let _ = tx.send(Some(result));
        });
        rx
    }

    fn host_is_down(&self, url: &str) -> bool {
        let hosts = lock(&self.hosts_down);
        hosts
            .get(&host_of(url))
            .is_some_and(|t| t.elapsed() < HOST_DOWN_FOR)
    }

    /// Downloads, decodes, resizes, encodes and stores one picture.
    async fn make(self: &Arc<Self>, url: &str, old: Option<Ref>) -> Result<Ref, ImageError> {
        if self.host_is_down(url) {
            return Err(ImageError::HostDown);
        }
        let download = {
            let _permit = self
                .downloads
                .acquire()
                .await
                .map_err(|e| ImageError::Fetch(e.to_string()))?;
            self.download(url, old.as_ref()).await?
        };
        let now = unix_now();
        let (original, etag, last_modified) = match download {
            Download::NotModified => {
                let mut r =
                    old.ok_or_else(|| ImageError::Fetch("HTTP 304 to a plain GET".into()))?;
                r.checked_at = now;
                self.revalidated.fetch_add(1, Ordering::Relaxed);
                return self.remember(r).await;
            }
            Download::Body {
                bytes,
                etag,
                last_modified,
            } => (bytes, etag, last_modified),
        };
        let source = sha256_hex(&original);
        if let Some(mut r) = old.filter(|r| r.source == source && r.recipe == RECIPE) {
            // Same picture as before under new validators: nothing to decode.
            r.etag = etag;
            r.last_modified = last_modified;
            r.checked_at = now;
            self.revalidated.fetch_add(1, Ordering::Relaxed);
            return self.remember(r).await;
        }
        let (detail, card) = {
            let _cpu = self
                .cpu
                .acquire()
                .await
                .map_err(|e| ImageError::Decode(e.to_string()))?;
            tokio::task::spawn_blocking(move || make_sizes(&original))
                .await
                .map_err(|e| ImageError::Decode(e.to_string()))??
        };
        let me = self.clone();
        let r = tokio::task::spawn_blocking(move || -> Result<Ref, ImageError> {
            let detail = me.store_blob(&detail)?;
            let card = me.store_blob(&card)?;
            Ok(Ref {
                url: String::new(),
                card,
                detail,
                source,
                etag,
                last_modified,
                checked_at: now,
                recipe: RECIPE.to_string(),
            })
        })
        .await
        .map_err(|e| ImageError::Disk(e.to_string()))??;
        self.made.fetch_add(1, Ordering::Relaxed);
        self.remember(Ref {
            url: url.to_string(),
            ..r
        })
        .await
    }

    /// Writes the ref file, keeps it in memory, and trims the cache to its cap.
    async fn remember(self: &Arc<Self>, r: Ref) -> Result<Ref, ImageError> {
        let me = self.clone();
        let r2 = r.clone();
        tokio::task::spawn_blocking(move || -> Result<(), ImageError> {
            let json = serde_json::to_vec(&r2).map_err(|e| ImageError::Disk(e.to_string()))?;
            write_replace(&me.ref_path(&r2.url), &json)?;
            lock(&me.refs).insert(r2.url.clone(), r2.clone());
            me.evict(&[r2.card.as_str(), r2.detail.as_str()]);
            Ok(())
        })
        .await
        .map_err(|e| ImageError::Disk(e.to_string()))??;
        Ok(r)
    }

    /// Stores encoded bytes under their hash (once) and returns the hash.
    fn store_blob(&self, bytes: &[u8]) -> Result<String, ImageError> {
        let hash = sha256_hex(bytes);
        let path = self.blob_path(&hash);
        if !path.exists() {
            write_replace(&path, bytes)?;
        }
        lock(&self.verified).insert(hash.clone());
        self.touch(&hash, &path, bytes.len() as u64);
        Ok(hash)
    }

    /// Reads the blobs on disk into the LRU once (sizes, and recency from their mtimes) and
    /// clears what a crash or an older layout left behind.
    fn scan(&self) {
        if lock(&self.lru).scanned {
            return;
        }
        let mut found = Vec::new();
        for dir in [
            self.dir.join("blobs"),
            self.dir.join("refs"),
            self.dir.clone(),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                let leftover = name.contains(".tmp") || (dir == self.dir && name.ends_with(".jpg")); // the old flat layout
                if leftover {
                    let _ = std::fs::remove_file(&p);
                    continue;
                }
                if dir.ends_with("blobs") && p.is_dir() {
                    for b in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                        let name = b.file_name().to_string_lossy().into_owned();
                        if name.contains(".tmp") {
                            let _ = std::fs::remove_file(b.path());
                            continue;
                        }
                        let Some(hash) = name.strip_suffix(".jpg").filter(|h| is_hash(h)) else {
                            continue;
                        };
                        if let Ok(m) = b.metadata() {
                            let mtime = m
                                .modified()
                                .ok()
                                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                                .map(|d| d.as_secs())
                                .unwrap_or(0);
                            found.push((hash.to_string(), m.len(), mtime));
                        }
                    }
                }
            }
        }
        let mut guard = lock(&self.lru);
        let lru = &mut *guard;
        for (hash, size, mtime) in found {
            if let std::collections::hash_map::Entry::Vacant(v) = lru.entries.entry(hash) {
                v.insert(Use {
                    size,
                    last: (mtime, 0),
                    persisted: mtime,
                });
                lru.total += size;
            }
        }
        lru.scanned = true;
    }

    /// Removes the least recently used blobs until the total is back under 90% of the cap;
    /// `keep` (what was just made) is never removed.
    fn evict(&self, keep: &[&str]) {
        self.scan();
        let cap = self.settings.cap_bytes;
        let victims: Vec<(String, u64)> = {
            let mut lru = lock(&self.lru);
            if lru.total <= cap {
                return;
            }
            let target = cap / 10 * 9;
            let mut order: Vec<(&String, &Use)> = lru
                .entries
                .iter()
                .filter(|(h, _)| !keep.contains(&h.as_str()))
                .collect();
            order.sort_by_key(|(_, u)| u.last);
            let mut total = lru.total;
            let mut out = Vec::new();
            for (h, u) in order {
                if total <= target {
                    break;
                }
                total -= u.size;
                out.push((h.clone(), u.size));
            }
            for (h, size) in &out {
                lru.entries.remove(h);
                lru.total -= size;
            }
            out
        };
        for (hash, _) in &victims {
            let _ = std::fs::remove_file(self.blob_path(hash));
            lock(&self.verified).remove(hash);
        }
        self.evicted
            .fetch_add(victims.len() as u64, Ordering::Relaxed);
        if !victims.is_empty() {
            tracing::debug!(
                count = victims.len(),
                "least recently used pictures removed to stay under the cap"
            );
        }
    }

    async fn download(&self, url: &str, old: Option<&Ref>) -> Result<Download, ImageError> {
        let mut req = self.http.get(url);
        if let Some(r) = old {
            if let Some(etag) = &r.etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &r.last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut resp = req.send().await.map_err(|e| {
            // Only a failed connection says the host is down; a slow picture says nothing
            // about the others.
            if e.is_connect() {
                lock(&self.hosts_down).insert(host_of(url), Instant::now());
            }
            ImageError::Fetch(e.without_url().to_string())
        })?;
        lock(&self.hosts_down).remove(&host_of(url));
        if resp.status() == reqwest::StatusCode::NOT_MODIFIED && old.is_some() {
            return Ok(Download::NotModified);
        }
        if !resp.status().is_success() {
            return Err(ImageError::Fetch(format!("HTTP {}", resp.status())));
        }
        let max = self.settings.max_download;
        if resp.content_length().is_some_and(|n| n > max as u64) {
            return Err(ImageError::TooLarge(max));
        }
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| ImageError::Fetch(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > max {
                return Err(ImageError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Download::Body {
            bytes: body,
            etag,
            last_modified,
        })
    }
}

enum Plan {
    Fresh,
    Revalidate(Ref),
    Make,
}

enum Download {
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Decodes `bytes` under the limits: an unknown format, a header announcing absurd dimensions
/// or a body that does not decode is an error, and nothing big is allocated for it.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    if reader.format().is_none() {
        return Err(ImageError::Decode("unknown format".into()));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| ImageError::Decode(e.to_string()))
}

/// Fits the picture into the size's box (never enlarging) and flattens transparency onto
/// white, since JPEG has none.
fn fit(img: &DynamicImage, size: ImageSize) -> DynamicImage {
    let (w, h) = size.bounds();
    let img = if img.width() > w || img.height() > h {
        // An area average: fast, and no aliasing when shrinking a lot.
        img.thumbnail(w, h)
    } else {
        img.clone()
    };
    if !img.color().has_alpha() {
        return img;
    }
    let mut rgba = img.to_rgba8();
    for p in rgba.pixels_mut() {
        let a = u16::from(p[3]);
        for c in 0..3 {
            p[c] = ((u16::from(p[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
        p[3] = 255;
    }
    DynamicImage::ImageRgba8(rgba)
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let rgb = img.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    Ok(out)
}

/// One decode, both sizes: (detail, card). The card is made from the detail picture, which is
/// already small, rather than from the original again.
pub fn make_sizes(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), ImageError> {
    let img = decode(bytes)?;
    let detail = fit(&img, ImageSize::Detail);
    drop(img);
    let card = fit(&detail, ImageSize::Card);
    Ok((encode_jpeg(&detail)?, encode_jpeg(&card)?))
}

/// Decodes under the limits and resizes to fit the size's box, as JPEG.
pub fn resize_to_jpeg(bytes: &[u8], size: ImageSize) -> Result<Vec<u8>, ImageError> {
    encode_jpeg(&fit(&decode(bytes)?, size))
}

#[cfg(test)]
mod tests;
