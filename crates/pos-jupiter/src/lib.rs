//! Jupiter POS adapter: the JPOS JSON command protocol behind kiosk-core's [`Pos`] port.
//!
//! Layout, one concern per file:
//! * [`wire`]: every command, field name and representation assumption, and the lenient
//!   decoders that survive the protocol's quirks (the only file to change when the real
//!   contract turns out different);
//! * [`client`]: the transport, one typed method per command, and the envelope/error rules;
//! * [`catalog`]: getTT's layout graph to the kiosk's [`kiosk_core::catalog::Catalog`], with
//!   every fault reported and no way to loop;
//! * [`pricing`]: local pricing (JPOS has no price check);
//! * [`order`]: ORDER_JSON for a kiosk order and Jupiter's orders in the kiosk's terms;
//! * [`pos`]: [`JupiterPos`], the port implementation and its order flow, and the settings;
//! * [`status`]: status tracking by polling `get_closed_orders`.
//!
//! Everything is built from the reference `shared/reference/jupiter-jpos.md` and the vendor
//! page it cites; choices the sources do not settle are marked ASSUMED where they are made.
//!
//! [`Pos`]: kiosk_core::ports::Pos

pub mod catalog;
pub mod client;
pub mod error;
pub mod order;
pub mod pos;
pub mod pricing;
pub mod status;
pub mod wire;

pub use catalog::{build_menu, build_menu_owned, JupiterMenu, MenuOptions};
pub use client::{BodyMode, ClientConfig, JupiterClient, Secret, UserLogin};
pub use error::JupiterError;
pub use order::{Clock, FixedClock, SystemClock};
pub use pos::{JupiterConfig, JupiterPos, PaymentTypeConfig, Strategy, UserCredentials};
pub use status::{StatusChange, StatusPoll, StatusTracker, TrackedStatus};
