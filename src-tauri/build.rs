//! tauri-build with the configuration at the repository root (see README: "Layout").
//! The app's own commands are declared here so the capability file can allow exactly them.

fn main() {
    let commands = &[
        "app_info",
        "menu",
        "estimate_cart",
        "price_cart",
        "checkout",
        "order_view",
        "order_board",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}
