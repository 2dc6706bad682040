//! Any bytes as an order answer (`/postorder`, `/getorders`) or a push notification: no panic,
//! and a decoded order always has the GUID it is tracked by.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(order) = pos_procart::decode_order(data) {
        assert!(!order.pos_order_id.trim().is_empty());
    }
    let _ = pos_procart::decode_orders(data);
    let _ = pos_procart::parse_callback(data);
});
