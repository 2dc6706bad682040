//! Payment providers behind one trait (`kiosk_core::ports::PaymentProvider`).
//!
//! - [`simulator::SimulatorProvider`]: the simulated card terminal served by `pos-sim` over
//!   HTTP, used in demo mode and in tests. It behaves like a real acquiring API: idempotent by
//!   attempt id, status queries for recovery, cancel and refund.
//! - [`counter::CounterProvider`]: "pay at the counter": nothing is charged at the kiosk; the
//!   order goes to the POS unpaid and the customer pays the cashier.
//! - [`sbpilot::SbPilotProvider`]: a Sberbank UPOS card terminal driven through the `sb_pilot`
//!   command line and the result files it writes.
//! - [`tbank::TbankProvider`]: SBP QR payments through T-Bank's acquiring API.
//! - [`yookassa::YookassaProvider`]: SBP QR payments through YooKassa's API v3.
//!
//! Secrets (terminal keys, passwords, shop ids) never live in [`ProviderConfig`]: the config
//! names the keyring entries, the caller reads them from the OS keyring and passes them in as
//! [`ProviderSecrets`]. They are wrapped in [`Secret`], whose `Debug` prints nothing.

pub mod counter;
pub mod sbpilot;
pub mod simulator;
pub mod tbank;
pub mod yookassa;

use std::collections::BTreeMap;
use std::sync::Arc;

use kiosk_core::ports::{PaymentError, PaymentProvider};

/// Which provider the settings chose, with its non-secret settings.
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
    Sbpilot(sbpilot::SbPilotConfig),
    Tbank(tbank::TbankConfig),
    Yookassa(yookassa::YookassaConfig),
}

impl ProviderConfig {
    /// The keyring entries this provider needs; the caller reads them into [`ProviderSecrets`].
    pub fn secret_names(&self) -> Vec<&str> {
        match self {
            ProviderConfig::Tbank(c) => vec![&c.terminal_key_secret, &c.password_secret],
            ProviderConfig::Yookassa(c) => vec![&c.shop_id_secret, &c.secret_key_secret],
            _ => vec![],
        }
    }
}

/// A secret value. `Debug` never shows it, and it has no `Display` or `Serialize`, so it cannot
/// end up in a log line or a JSON document by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it (a signature, an auth header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Secrets by keyring entry name, read by the caller (the engine's `SecretStore`).
#[derive(Debug, Clone, Default)]
pub struct ProviderSecrets {
    values: BTreeMap<String, Secret>,
}

impl ProviderSecrets {
    pub fn new() -> ProviderSecrets {
        ProviderSecrets::default()
    }

    pub fn insert(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), Secret::new(value));
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> ProviderSecrets {
        self.insert(name, value);
        self
    }

    /// The secret, or a `Config` error that tells the installer which entry is missing.
    pub fn require(&self, name: &str, what: &str) -> Result<Secret, PaymentError> {
        match self.values.get(name) {
            Some(s) if !s.expose().trim().is_empty() => Ok(s.clone()),
            _ => Err(PaymentError::Config(format!(
                "no {what} in the keyring (entry {name:?}); enter it in the set-up screen"
            ))),
        }
    }
}

/// Builds a provider that needs no secrets. The ones that do (T-Bank, YooKassa) fail with a
/// `Config` error here: use [`build_with_secrets`].
pub fn build(config: &ProviderConfig) -> Result<Arc<dyn PaymentProvider>, PaymentError> {
    build_with_secrets(config, &ProviderSecrets::default())
}

pub fn build_with_secrets(
    config: &ProviderConfig,
    secrets: &ProviderSecrets,
) -> Result<Arc<dyn PaymentProvider>, PaymentError> {
    Ok(match config {
        ProviderConfig::Simulator { url, timeout_s } => {
            let p = simulator::SimulatorProvider::new(url)?;
            Arc::new(match timeout_s {
                Some(t) => p.with_start_timeout(std::time::Duration::from_secs(*t)),
                None => p,
            })
        }
        ProviderConfig::Counter => Arc::new(counter::CounterProvider),
        ProviderConfig::Sbpilot(c) => Arc::new(sbpilot::SbPilotProvider::new(c.clone())?),
        ProviderConfig::Tbank(c) => Arc::new(tbank::TbankProvider::new(
            c.clone(),
            tbank::TbankCredentials::from_secrets(c, secrets)?,
        )?),
        ProviderConfig::Yookassa(c) => Arc::new(yookassa::YookassaProvider::new(
            c.clone(),
            yookassa::YookassaCredentials::from_secrets(c, secrets)?,
        )?),
    })
}

/// Attempt ids name folders and files (sb_pilot's work folders, YooKassa's attempt records)
/// and YooKassa idempotence keys: only plain characters, at most 64, so that no id can escape
/// its folder.
pub(crate) fn check_attempt_id(attempt_id: &str) -> Result<(), PaymentError> {
    let ok = !attempt_id.is_empty()
        && attempt_id.len() <= 64
        && !attempt_id.starts_with('.')
        && attempt_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(PaymentError::Config(format!(
            "attempt id {attempt_id:?} cannot name a file"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_ids_cannot_escape_their_folder() {
        assert!(check_attempt_id("0f3a9c-1").is_ok());
        assert!(check_attempt_id("../etc").is_err());
        assert!(check_attempt_id("a/b").is_err());
        assert!(check_attempt_id("").is_err());
        assert!(check_attempt_id(".hidden").is_err());
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let s = ProviderSecrets::new().with("tbank-password", "hunter2");
        let text = format!("{s:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("tbank-password"));
    }

    #[test]
    fn a_missing_secret_names_its_keyring_entry() {
        let err = ProviderSecrets::new()
            .require("yookassa-secret-key", "YooKassa secret key")
            .unwrap_err();
        assert!(err.to_string().contains("yookassa-secret-key"), "{err}");
    }

    #[test]
    fn configs_read_from_toml_like_json() {
        let c: ProviderConfig = serde_json::from_value(serde_json::json!({
            "kind": "tbank",
            "qr_lifetime_s": 120
        }))
        .unwrap();
        let ProviderConfig::Tbank(t) = &c else {
            panic!("{c:?}")
        };
        assert_eq!(t.qr_lifetime_s, 120);
        assert_eq!(
            c.secret_names(),
            vec!["tbank-terminal-key", "tbank-password"]
        );
    }
}
