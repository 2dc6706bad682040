//! The kiosk's engine: everything that does IO on behalf of the domain in `kiosk-core`.
//!
//! The Tauri shell and `kioskctl` are thin layers over [`Engine`]; both drive exactly the same
//! code, so a black-box test through `kioskctl` exercises what the customer's window uses.

pub mod board;
pub mod callbacks;
pub mod checkout;
pub mod config;
pub mod crashpoint;
pub mod diagnostics;
pub mod engine;
pub mod images;
pub mod journal;
pub mod logs;
pub mod menu;
pub mod payment_watch;
pub mod pos;
pub mod pricer;
pub mod printing;
pub mod secrets;
pub mod service;
pub mod snapshot;
pub mod staff;
pub mod tracker;

pub use config::KioskConfig;
pub use engine::Engine;
