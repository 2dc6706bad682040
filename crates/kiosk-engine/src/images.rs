//! Menu pictures: downloaded once, checked, resized, kept on disk, served to the web view.
//!
//! A POS's image may be huge, broken, or not an image at all. Each one is fetched with a
//! timeout and a byte limit, decoded with the `image` crate under dimension and memory limits
//! (a decompression bomb is refused, not decoded), resized to the size the screen uses, encoded
//! once as JPEG and stored under a name derived from its URL and size. Downloads run with
//! bounded concurrency so a 500-dish menu cannot flood the POS or the kiosk's network.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use image::{imageops::FilterType, ImageReader, Limits};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// The biggest file we download.
const MAX_BYTES: usize = 15 * 1024 * 1024;
/// The biggest picture we decode, per side.
const MAX_SIDE: u32 = 8_000;
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    fn bounds(self) -> (u32, u32) {
        match self {
            ImageSize::Card => (480, 360),
            ImageSize::Detail => (1200, 900),
        }
    }

    fn tag(self) -> &'static str {
        match self {
            ImageSize::Card => "card",
            ImageSize::Detail => "detail",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the picture could not be downloaded: {0}")]
    Fetch(String),
    #[error("the picture is larger than {MAX_BYTES} bytes")]
    TooLarge,
    #[error("not a picture we can read: {0}")]
    Decode(String),
    #[error("the image cache on disk failed: {0}")]
    Disk(#[from] std::io::Error),
}

pub struct ImageCache {
    dir: PathBuf,
    http: reqwest::Client,
    downloads: Arc<Semaphore>,
}

impl ImageCache {
    pub fn new(dir: PathBuf, concurrency: usize) -> Result<ImageCache, ImageError> {
        std::fs::create_dir_all(&dir)?;
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .build()
            .map_err(|e| ImageError::Fetch(e.to_string()))?;
        Ok(ImageCache {
            dir,
            http,
            downloads: Arc::new(Semaphore::new(concurrency.max(1))),
        })
    }

    fn path_for(&self, url: &str, size: ImageSize) -> PathBuf {
        let mut h = Sha256::new();
        h.update(url.as_bytes());
        h.update([0]);
        h.update(size.tag().as_bytes());
        let hex: String = h
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        self.dir.join(format!("{hex}.jpg"))
    }

    /// The JPEG for `url` at `size`, from disk or freshly made.
    pub async fn get(&self, url: &str, size: ImageSize) -> Result<Vec<u8>, ImageError> {
        let path = self.path_for(url, size);
        if let Ok(bytes) = tokio::fs::read(&path).await {
            return Ok(bytes);
        }
        let original = self.fetch(url).await?;
        let out = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ImageError> {
            let jpeg = resize_to_jpeg(&original, size)?;
            crate::menu::write_atomically(&path, &jpeg)?;
            Ok(jpeg)
        })
        .await
        .map_err(|e| ImageError::Decode(e.to_string()))??;
        Ok(out)
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, ImageError> {
        let _permit = self
            .downloads
            .acquire()
            .await
            .map_err(|e| ImageError::Fetch(e.to_string()))?;
        let mut resp = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| ImageError::Fetch(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(ImageError::Fetch(format!("HTTP {}", resp.status())));
        }
        if resp
            .content_length()
            .is_some_and(|n| n as usize > MAX_BYTES)
        {
            return Err(ImageError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| ImageError::Fetch(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_BYTES {
                return Err(ImageError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Warms the cache for every URL, a few at a time; failures are only logged, the UI shows a
    /// placeholder for those.
    pub async fn prefetch(self: Arc<Self>, urls: Vec<String>) {
        let mut tasks = tokio::task::JoinSet::new();
        for url in urls {
            let me = self.clone();
            tasks.spawn(async move {
                for size in [ImageSize::Card, ImageSize::Detail] {
                    if let Err(e) = me.get(&url, size).await {
                        tracing::debug!(%url, error = %e, "image not cached");
                        break;
                    }
                }
            });
            // Keep the number of queued tasks bounded; the semaphore bounds the downloads.
            while tasks.len() >= 16 {
                tasks.join_next().await;
            }
        }
        while tasks.join_next().await.is_some() {}
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Decodes under limits and resizes to fit the size's bounds, keeping the aspect ratio.
pub fn resize_to_jpeg(bytes: &[u8], size: ImageSize) -> Result<Vec<u8>, ImageError> {
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    if reader.format().is_none() {
        return Err(ImageError::Decode("unknown format".into()));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    let (w, h) = size.bounds();
    let img = if img.width() > w || img.height() > h {
        img.resize(w, h, FilterType::Triangle)
    } else {
        img
    };
    let mut out = Vec::new();
    let rgb = img.to_rgb8();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    enc.encode_image(&rgb)
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn resizes_to_fit_the_card() {
        let jpeg = resize_to_jpeg(&png(1600, 1200), ImageSize::Card).unwrap();
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (480, 360));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(matches!(
            resize_to_jpeg(b"<html>not found</html>", ImageSize::Card),
            Err(ImageError::Decode(_))
        ));
        let mut truncated = png(64, 64);
        truncated.truncate(40);
        assert!(resize_to_jpeg(&truncated, ImageSize::Card).is_err());
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        // A PNG header claiming 100000 x 100000 pixels.
        let img = image::GrayImage::new(1, 1);
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        let mut bytes = out.into_inner();
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(resize_to_jpeg(&bytes, ImageSize::Detail).is_err());
    }
}
