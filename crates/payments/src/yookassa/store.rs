//! The provider's own record of each attempt, one JSON file per attempt in `state_dir`.
//!
//! YooKassa cannot look a payment up by our id, and its idempotency only replays a request
//! that is *identical*, so the kiosk must keep the key and the exact body it sent. The record
//! is written (temp file, fsync, rename) **before** each POST; after a crash the same body is
//! sent again with the same key, which returns the original payment instead of a new one.

use std::path::{Path, PathBuf};

use kiosk_core::ports::PaymentError;
use kiosk_core::Money;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub attempt_id: String,
    pub amount: Money,
    /// `Idempotence-Key` of the create.
    pub key: String,
    /// The create's exact body.
    pub body: Value,
    #[serde(default)]
    pub payment_id: Option<String>,
    /// The create was refused (4xx): nothing exists, and the key must never be reused.
    #[serde(default)]
    pub failed: Option<String>,
    #[serde(default)]
    pub refunds: Vec<RefundRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundRecord {
    pub amount: Money,
    pub key: String,
    pub body: Value,
    #[serde(default)]
    pub refund_id: Option<String>,
    #[serde(default)]
    pub failed: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> PaymentError {
    PaymentError::Provider(format!("{what} {}: {e}", path.display()))
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, PaymentError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            PaymentError::Config(format!(
                "cannot create the payment state folder {}: {e}",
                dir.display()
            ))
        })?;
        Ok(Store {
            dir: dir.to_path_buf(),
        })
    }

    fn path(&self, attempt_id: &str) -> Result<PathBuf, PaymentError> {
        crate::check_attempt_id(attempt_id)?;
        Ok(self.dir.join(format!("{attempt_id}.json")))
    }

    pub fn load(&self, attempt_id: &str) -> Result<Option<AttemptRecord>, PaymentError> {
        let path = self.path(attempt_id)?;
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| PaymentError::Malformed(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("cannot read", &path, e)),
        }
    }

    /// Atomic and durable: a crash leaves the old record or the new one, never half of one.
    pub fn save(&self, rec: &AttemptRecord) -> Result<(), PaymentError> {
        use std::io::Write;
        let path = self.path(&rec.attempt_id)?;
        let tmp = path.with_extension("json.tmp");
        let bytes =
            serde_json::to_vec_pretty(rec).map_err(|e| PaymentError::Provider(e.to_string()))?;
        let mut f = std::fs::File::create(&tmp).map_err(|e| io("cannot write", &tmp, e))?;
        f.write_all(&bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| io("cannot write", &tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io("cannot replace", &path, e))?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert!(s.load("a-1").unwrap().is_none());
        let rec = AttemptRecord {
            attempt_id: "a-1".into(),
            amount: Money::parse("10.00").unwrap(),
            key: "a-1".into(),
            body: serde_json::json!({"x": 1}),
            payment_id: None,
            failed: None,
            refunds: vec![],
        };
        s.save(&rec).unwrap();
        let back = Store::open(dir.path())
            .unwrap()
            .load("a-1")
            .unwrap()
            .unwrap();
        assert_eq!(back.body, rec.body);
        assert!(s.load("../x").is_err());
    }
}
