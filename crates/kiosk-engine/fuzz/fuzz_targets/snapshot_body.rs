//! Any bytes as the catalog inside a well-formed header, so every input gets past the checksum
//! and reaches the catalog parser and the usability check.
#![no_main]

use kiosk_engine::snapshot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = snapshot::decode(&snapshot::encode_body(1, data)) {
        assert!(kiosk_engine::menu::check_usable(&s.catalog).is_ok());
        let again = snapshot::decode(&snapshot::encode(&s.catalog, s.fetched_at)).unwrap();
        assert_eq!(again, s);
    }
});
