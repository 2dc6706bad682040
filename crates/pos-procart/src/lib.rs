//! r_keeper through the ProCart REST gateway (`http://host:11111/api/v3`).
//!
//! Layers, each in its own file:
//! - [`wire`]: the wire format. Every field name and every assumption about ProCart's
//!   undocumented schema lives there, so adopting the real Swagger is a one-file change.
//! - [`mapping`]: wire types ⇄ `kiosk-core` types (catalog, quote, orders, health).
//! - [`decode`]: bytes → core types, shared by the client, the fixture tests and the fuzzer.
//! - [`error`]: HTTP statuses, error bodies and transport failures → `kiosk_core::PosError`.
//! - [`client`]: the HTTP client (token placement, verbs, timeouts, bounded retries of reads,
//!   never of `/postorder`).
//! - [`pos`]: `kiosk_core::ports::Pos` for the engine.
//! - [`callback`]: strict parsing of ProCart's push notifications.
//!
//! Menu caching is the engine's job (it keeps the last good menu on disk); this crate asks
//! ProCart every time it is called.

pub mod callback;
pub mod client;
pub mod decode;
pub mod error;
pub mod mapping;
pub mod pos;
pub mod wire;

pub use callback::{parse_callback, CallbackError, CallbackEvent, MAX_CALLBACK_BYTES};
pub use client::{
    Method, PerMethod, PrintInfo, ProcartClient, ProcartConfig, RetryPolicy, TokenPlacement, Verb,
};
pub use decode::{decode_menu, decode_order, decode_orders, decode_ping, decode_quote, Answer};
pub use pos::ProcartPos;
