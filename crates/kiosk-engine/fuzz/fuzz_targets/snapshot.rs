//! Any bytes as the menu snapshot file: reading may fail, but only with a typed reason, and a
//! snapshot that reads is a menu the kiosk can show, which writes back to the same bytes.
#![no_main]

use kiosk_engine::snapshot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = snapshot::decode(data) {
        assert!(kiosk_engine::menu::check_usable(&s.catalog).is_ok());
        let again = snapshot::decode(&snapshot::encode(&s.catalog, s.fetched_at)).unwrap();
        assert_eq!(again, s);
    }
});
