//! WebKitGTK settings for a kiosk: one page that lives for days, on a PC with little memory.
//!
//! WebKit's defaults are a web browser's: it keeps the pictures of pages the user has left (and
//! their decoded pixels) in its memory cache for a quick "back". The kiosk's menu swaps a
//! section's cards for the next one's, so with those defaults the pictures of the sections
//! browsed stay decoded (the web process grew by about 30 MiB a section of a 500-dish menu,
//! `make bench` step 13). The document-viewer cache model
//! keeps no dead resources and no back-forward pages: a picture that left the screen's DOM is
//! dropped, and the next visit reads it again from the `kiosk://` scheme, which serves it from
//! disk in about a millisecond.
//!
//! The web process also frees decoded pictures all day long (a full-screen promo picture is
//! 4 MiB of pixels). glibc raises its mmap threshold after the first such buffer is freed, and
//! from then on keeps freed picture buffers in its heap instead of returning them; a fixed
//! threshold keeps big buffers in their own mappings, which go back to the system when freed.
//!
//! `kiosk-bench`'s empty window (the baseline of `make bench`) applies the same settings, so the
//! comparison stays between two pages on the same WebKit.

use tauri::{Manager, Runtime};

/// glibc's default mmap threshold (128 KiB), fixed.
const MMAP_THRESHOLD: &str = "131072";

/// Settings the web processes inherit from this one: call before the first window opens,
/// while the process has no other thread. A value set by the operator is kept.
pub fn prepare_environment() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        std::env::set_var("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD);
    }
}

/// The main window's WebKit settings; from the app's `setup`.
pub fn tune<R: Runtime>(app: &tauri::App<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|wv| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = wv.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
