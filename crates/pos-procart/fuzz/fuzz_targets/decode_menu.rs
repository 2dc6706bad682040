//! Any bytes as a `/getmenu` answer: decoding may fail, but only with a typed error, and a
//! menu that decodes always passes the catalog's own invariants (its check terminates).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut catalog) = pos_procart::decode_menu(data) {
        // Checking twice must terminate too and keep every dish.
        let dishes = catalog.dishes.len();
        catalog.check();
        assert_eq!(catalog.dishes.len(), dishes);
    }
});
