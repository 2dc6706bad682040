//! Kiosk lockdown of the window: what a guest at the screen must never reach.
//!
//! - Navigation: the web view may show the app's own pages and nothing else. A link, a
//!   redirect or a script that tries another origin is refused (`on_navigation`), so the kiosk
//!   can never become a browser. The dev server is allowed in debug builds only.
//! - No context menu (WebKitGTK offers Back/Reload/Inspect in its own menu even in release):
//!   switched off in the web view itself, not only by the page's script.
//! - Release builds run fullscreen (`KIOSK_WINDOWED=1` keeps a window, for an installer on a
//!   desktop). The window has no decorations and no devtools (tauri.conf.json: `decorations`,
//!   `devtools: false`; the `devtools` cargo feature is off), and no zoom hotkeys.
//! - The CSP (tauri.conf.json) and the capability file (only the app's own commands) are
//!   checked by the tests below, so a loosening shows in review.

use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime, Url};

/// Whether the web view may show `url`. `dev` allows the Vite dev server.
pub fn allowed(url: &Url, dev: bool) -> bool {
    let host = url.host_str().unwrap_or("");
    match url.scheme() {
        // The app's pages (Linux, macOS) and its picture scheme.
        "tauri" | "kiosk" => host == "localhost",
        // The same on Windows, where custom schemes are served as http://NAME.localhost.
        "http" | "https" if host == "tauri.localhost" || host == "kiosk.localhost" => true,
        "http" if dev => (host == "localhost" || host == "127.0.0.1") && url.port() == Some(5173),
        _ => false,
    }
}

pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("kiosk-lockdown")
        .on_navigation(|_webview, url| {
            let ok = allowed(url, cfg!(debug_assertions));
            if !ok {
                tracing::warn!(url = %url, "navigation away from the kiosk blocked");
            }
            ok
        })
        .build()
}

/// Applies the window-level lockdown to the main window.
pub fn apply<R: Runtime>(app: &tauri::App<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let windowed = std::env::var_os("KIOSK_WINDOWED").is_some_and(|v| v == "1");
    if !cfg!(debug_assertions) && !windowed {
        if let Err(e) = window.set_fullscreen(true) {
            tracing::warn!(error = %e, "cannot go fullscreen");
        }
    }
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|wv| {
            use webkit2gtk::WebViewExt;
            // Returning true means "handled": WebKitGTK shows no menu at all.
            wv.inner().connect_context_menu(|_, _, _, _| true);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_pages_may_be_shown() {
        let cases = [
            ("tauri://localhost/", true, true),
            ("tauri://localhost/index.html#/menu", true, true),
            ("http://tauri.localhost/", true, true),
            ("kiosk://localhost/image/dish/1", true, true),
            ("http://kiosk.localhost/image/dish/1", true, true),
            ("http://localhost:5173/", false, true),
            ("http://127.0.0.1:5173/", false, true),
            ("http://localhost:5174/", false, false),
            ("https://example.com/", false, false),
            ("http://tauri.localhost.evil.com/", false, false),
            ("tauri://evil.com/", false, false),
            ("file:///etc/passwd", false, false),
            ("about:blank", false, false),
            ("data:text/html,<script>alert(1)</script>", false, false),
            ("javascript:alert(1)", false, false),
            ("http://10.0.0.5:11111/api/v3/ping", false, false),
        ];
        for (url, release, dev) in cases {
            let u = Url::parse(url).unwrap();
            assert_eq!(allowed(&u, false), release, "release {url}");
            assert_eq!(allowed(&u, true), dev, "dev {url}");
        }
    }

    fn root_config() -> serde_json::Value {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tauri.conf.json"))
                .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_window_is_locked_down_in_the_config() {
        let c = root_config();
        let w = &c["app"]["windows"][0];
        assert_eq!(w["label"], "main");
        assert_eq!(w["decorations"], false);
        assert_eq!(w["devtools"], false);
        assert_eq!(w["zoomHotkeysEnabled"], false);
        assert_eq!(c["app"]["withGlobalTauri"], false);
        assert_eq!(c["app"]["security"]["freezePrototype"], true);
    }

    /// The CSP loads nothing from another origin, runs no inline or evaluated script, and
    /// allows no frames, plugins, forms or base-URL tricks.
    #[test]
    fn the_csp_is_strict() {
        let c = root_config();
        let csp = c["app"]["security"]["csp"].as_str().unwrap();
        let directives: std::collections::HashMap<&str, Vec<&str>> = csp
            .split(';')
            .filter_map(|d| {
                let mut parts = d.split_whitespace();
                parts.next().map(|name| (name, parts.collect()))
            })
            .collect();
        assert_eq!(directives["default-src"], ["'self'"]);
        assert_eq!(directives["script-src"], ["'self'"]);
        assert_eq!(directives["object-src"], ["'none'"]);
        assert_eq!(directives["base-uri"], ["'none'"]);
        assert_eq!(directives["form-action"], ["'none'"]);
        assert_eq!(directives["frame-src"], ["'none'"]);
        assert_eq!(directives["connect-src"], ["ipc:", "http://ipc.localhost"]);
        for (name, sources) in &directives {
            for s in sources {
                assert!(
                    !s.contains("unsafe-eval") && *s != "*" && *s != "http:" && *s != "https:",
                    "{name} allows {s}"
                );
                if let Some(host) = s.strip_prefix("http://") {
                    assert!(
                        host.ends_with(".localhost"),
                        "{name} allows a remote origin {s}"
                    );
                }
            }
        }
        assert!(!directives["script-src"].contains(&"'unsafe-inline'"));
    }

    /// The capability file allows exactly the app's own commands (build.rs lists them) and the
    /// two event permissions the UI needs: no core defaults, no plugins, no shell or fs access.
    #[test]
    fn the_capability_allows_only_the_apps_commands() {
        let build = include_str!("../build.rs");
        let list = build
            .split_once("let commands = &[")
            .and_then(|(_, rest)| rest.split_once("];"))
            .map(|(list, _)| list)
            .unwrap();
        let mut expected: Vec<String> = list
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .filter(|s| !s.is_empty())
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.push("core:event:allow-listen".into());
        expected.push("core:event:allow-unlisten".into());
        expected.sort();
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
        let mut allowed: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        allowed.sort();
        assert_eq!(allowed, expected);
        let caps = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities"))
            .unwrap()
            .count();
        assert_eq!(caps, 1, "one capability file, for the one window");
    }
}
