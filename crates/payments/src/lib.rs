//! Payment providers behind one trait (`kiosk_core::ports::PaymentProvider`).
//!
//! - [`simulator::SimulatorProvider`]: the simulated card terminal served by `pos-sim` over
//!   HTTP, used in demo mode and in tests. It behaves like a real acquiring API: idempotent by
//!   attempt id, status queries for recovery, cancel and refund.
//! - [`counter::CounterProvider`]: "pay at the counter": nothing is charged at the kiosk; the
//!   order goes to the POS unpaid and the customer pays the cashier.

pub mod counter;
pub mod simulator;

use std::sync::Arc;

use kiosk_core::ports::PaymentProvider;

/// Which provider the settings chose.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProviderConfig {
    Simulator {
        url: String,
        /// Seconds to wait for the terminal's answer (default 90).
        #[serde(default)]
        timeout_s: Option<u64>,
    },
    Counter,
}

pub fn build(
    config: &ProviderConfig,
) -> Result<Arc<dyn PaymentProvider>, kiosk_core::ports::PaymentError> {
    Ok(match config {
        ProviderConfig::Simulator { url, timeout_s } => {
            let p = simulator::SimulatorProvider::new(url)?;
            Arc::new(match timeout_s {
                Some(t) => p.with_start_timeout(std::time::Duration::from_secs(*t)),
                None => p,
            })
        }
        ProviderConfig::Counter => Arc::new(counter::CounterProvider),
    })
}
