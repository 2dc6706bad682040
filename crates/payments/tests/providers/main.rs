//! The real providers against their simulators (`pay-sim`): every outcome and fault the
//! reference lists, and the progress the customer sees. One test binary, one module per
//! provider (mirroring `src/`).
//!
//! No sleeps decide a race: tests wait for events (the QR shown, the task finished) or poll
//! with a deadline.

mod common;
mod sbpilot;
mod tbank;
mod yookassa;
