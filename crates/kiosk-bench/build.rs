//! Only the empty window needs Tauri's build step (its config and embedded page).
fn main() {
    #[cfg(feature = "bench-window")]
    tauri_build::try_build(
        tauri_build::Attributes::new().config_path("empty-window/tauri.conf.json"),
    )
    .expect("the empty window's Tauri build step failed");
}
