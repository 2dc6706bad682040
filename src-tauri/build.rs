//! tauri-build with the configuration at the repository root (see README: "Layout").
//! The app's own commands are declared here so the capability file can allow exactly them.

fn main() {
    let commands = &[
        "app_info",
        "menu",
        "estimate_cart",
        "price_cart",
        "checkout",
        "cancel_payment",
        "order_view",
        "order_board",
        "setup_status",
        "setup_save_settings",
        "setup_set_secret",
        "setup_test_connection",
        "setup_check_settings",
        "setup_test_payment",
        "service_pin_state",
        "service_unlock",
        "service_lock",
        "service_set_pin",
        "service_diagnostics",
        "service_preflight",
        "service_export_diagnostics",
        "service_restart",
        "staff_login_info",
        "staff_login",
        "staff_logout",
        "staff_session",
        "staff_orders",
        "staff_order",
        "staff_retry_send",
        "staff_mark_handled",
        "staff_refund",
        "staff_print_number",
        "staff_lock",
        "staff_unlock",
        "staff_add_dishes",
        "staff_print_bill",
        "staff_add_client",
        "staff_close",
        "staff_print_info",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}
