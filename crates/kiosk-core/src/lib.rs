//! The kiosk's domain, free of IO and of any UI framework.
//!
//! Everything the customer or the staff see (totals, availability, order status) is computed
//! here, so the UI only renders and the adapters only translate wire formats. The traits in
//! [`ports`] are what the engine plugs real POS systems and payment providers into.

pub mod board;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod error;
pub mod money;
pub mod order;
pub mod payment;
pub mod ports;
pub mod pricing;
pub mod view;

pub use error::{ErrorCode, IpcError, PosError};
pub use money::Money;
