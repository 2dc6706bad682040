//! Crash points for the fault-matrix tests.
//!
//! The checkout calls [`hit`] before and after each journal write and each external call. When
//! the environment variable `KIOSK_CRASH_AT` names that point, the process sends itself SIGKILL
//! right there: no destructors, no flush, exactly like a power cut or the OOM killer. The
//! harness (`crates/kioskctl/tests/fault_matrix.rs`) restarts the engine and checks that no
//! money and no order was lost or doubled. Unset (always, in production) it costs one lookup
//! of a cached value.

use std::sync::OnceLock;

/// Every crash point, in the order a checkout meets them.
pub const POINTS: &[&str] = &[
    "before_priced_write",
    "after_priced_write",
    // Submit first only (Jupiter's strategy B): the open order goes to the POS before payment.
    "after_submitting_write",
    "after_submit_call",
    "after_submitted_write",
    "after_payment_started_write",
    // The customer is at the terminal or the QR is on screen (the provider's first prompt).
    "while_paying",
    "after_payment_call",
    "after_paid_write",
    "after_posting_write",
    "after_post_call",
    "after_posted_write",
    "after_refunding_write",
    "after_refund_call",
];

/// The points only a "submit first" checkout meets ([`kiosk_core::ports::Pos::submit_first`]).
pub const SUBMIT_FIRST_POINTS: &[&str] = &[
    "after_submitting_write",
    "after_submit_call",
    "after_submitted_write",
];

fn armed() -> Option<&'static str> {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    AT.get_or_init(|| {
        std::env::var("KIOSK_CRASH_AT")
            .ok()
            .filter(|s| !s.is_empty())
    })
    .as_deref()
}

/// Dies here if the harness asked for it.
pub fn hit(point: &str) {
    debug_assert!(POINTS.contains(&point), "unknown crash point {point}");
    if armed() == Some(point) {
        eprintln!("crash point {point}: SIGKILL");
        #[cfg(unix)]
        // SAFETY: raising a signal at ourselves has no memory-safety preconditions.
        unsafe {
            libc::raise(libc::SIGKILL);
        }
        std::process::abort();
    }
}
