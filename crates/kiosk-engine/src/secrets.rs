//! Where secrets live: the OS keyring, never a file or a log.
//!
//! On Linux the keyring is the Secret Service (gnome-keyring); on Windows the Credential
//! Manager. [`MemorySecrets`] holds secrets that exist only for one run (the demo's token for
//! its built-in simulator, a token passed by `kioskctl --token-env`).

use std::collections::HashMap;
use std::sync::Mutex;

pub const SERVICE: &str = "kiosk";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the OS keyring is not available ({0}). On Linux install and unlock a Secret Service \
         provider (apt-get install gnome-keyring; it needs a D-Bus session), or set the secret \
         from the set-up screen again"
    )]
    Unavailable(String),
    #[error("the keyring refused to store the secret: {0}")]
    Refused(String),
}

pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError>;
}

pub struct KeyringSecrets {
    service: String,
}

impl KeyringSecrets {
    pub fn new() -> Self {
        KeyringSecrets {
            service: SERVICE.to_string(),
        }
    }
}

impl Default for KeyringSecrets {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretStore for KeyringSecrets {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        let entry = keyring::Entry::new(&self.service, name)
            .map_err(|e| SecretError::Unavailable(e.to_string()))?;
        match entry.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError::Unavailable(e.to_string())),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        let entry = keyring::Entry::new(&self.service, name)
            .map_err(|e| SecretError::Unavailable(e.to_string()))?;
        entry
            .set_password(value)
            .map_err(|e| SecretError::Refused(e.to_string()))
    }
}

#[derive(Default)]
pub struct MemorySecrets {
    values: Mutex<HashMap<String, String>>,
}

impl MemorySecrets {
    pub fn with(name: &str, value: &str) -> Self {
        let s = MemorySecrets::default();
        s.values
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), value.to_string());
        s
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Ok(self
            .values
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned())
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.values
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), value.to_string());
        Ok(())
    }
}
