//! Builds the POS adapter and the payment provider the settings name.

use std::sync::Arc;

use kiosk_core::ports::{PaymentProvider, Pos};

use crate::config::{JupiterStrategy, KioskConfig, PosKind};
use crate::engine::EngineError;
use crate::secrets::SecretStore;

pub fn build(config: &KioskConfig, secrets: &dyn SecretStore) -> Result<Arc<dyn Pos>, EngineError> {
    let secret = secrets.get(&config.pos.secret)?;
    match config.pos.kind {
        PosKind::Procart => {
            let token = secret.ok_or_else(|| {
                EngineError::Pos(format!(
                    "no ProCart token in the keyring (entry {:?}); enter it in the set-up screen",
                    config.pos.secret
                ))
            })?;
            let cfg = pos_procart::ProcartConfig::new(procart_base(&config.pos.url), Some(token));
            let pos =
                pos_procart::ProcartPos::new(cfg).map_err(|e| EngineError::Pos(e.to_string()))?;
            Ok(Arc::new(pos))
        }
        PosKind::Jupiter => {
            use pos_jupiter::{
                JupiterConfig, JupiterPos, PaymentTypeConfig, Secret, Strategy, UserCredentials,
            };
            let server_id = secret.ok_or_else(|| {
                EngineError::Pos(format!(
                    "no Jupiter server id in the keyring (entry {:?}); enter it in the set-up screen",
                    config.pos.secret
                ))
            })?;
            let password = secrets.get(&config.pos.user_secret)?.ok_or_else(|| {
                EngineError::Pos(format!(
                    "no Jupiter user password in the keyring (entry {:?}); enter it in the set-up screen",
                    config.pos.user_secret
                ))
            })?;
            let mut cfg = JupiterConfig::new(
                config.pos.url.trim().to_string(),
                Secret::new(server_id),
                UserCredentials::Password(Secret::new(password)),
            );
            cfg.strategy = match config.pos.strategy {
                JupiterStrategy::PayFirst => Strategy::PayFirst,
                JupiterStrategy::SubmitFirst => Strategy::SubmitFirst,
            };
            cfg.payment_types = vec![PaymentTypeConfig {
                uid: config.payment.tender.clone(),
                name: config
                    .payment
                    .tender_name
                    .clone()
                    .unwrap_or_else(|| config.payment.tender.clone()),
                cash: false,
            }];
            let pos = JupiterPos::new(cfg).map_err(|e| EngineError::Pos(e.to_string()))?;
            Ok(Arc::new(pos))
        }
    }
}

/// The payment provider the settings name, with its secrets from the keyring and its working
/// folders inside the kiosk's data folder when the settings leave them empty.
/// The provider from the settings alone: for providers that need no keys (the simulator, the
/// counter) and for checks that only want to know whether the settings build one.
pub fn build_provider(config: &KioskConfig) -> Result<Arc<dyn PaymentProvider>, EngineError> {
    let data_dir = config
        .kiosk
        .data_dir
        .clone()
        .unwrap_or_else(crate::engine::default_data_dir);
    build_provider_with_secrets(config, &crate::secrets::MemorySecrets::default(), &data_dir)
}

pub fn build_provider_with_secrets(
    config: &KioskConfig,
    secrets: &dyn SecretStore,
    data_dir: &std::path::Path,
) -> Result<Arc<dyn PaymentProvider>, EngineError> {
    let pay = &config.payment;
    let folder = |name: &str| data_dir.join("payments").join(name);
    let p = match pay.provider.as_str() {
        "simulator" => payments::ProviderConfig::Simulator {
            timeout_s: pay.timeout_s,
            url: pay.url.clone().ok_or_else(|| {
                EngineError::Payment("payment.url is required for the simulator".into())
            })?,
        },
        "counter" => payments::ProviderConfig::Counter,
        "sbpilot" => {
            let mut c = pay.sbpilot.clone().ok_or_else(|| {
                EngineError::Payment(
                    "payment.provider = \"sbpilot\" needs a [payment.sbpilot] table with `binary`"
                        .into(),
                )
            })?;
            if c.work_dir.as_os_str().is_empty() {
                c.work_dir = folder("sbpilot");
            }
            if let Some(t) = pay.timeout_s {
                c.timeout_s = t;
            }
            payments::ProviderConfig::Sbpilot(c)
        }
        "tbank" => {
            let mut c = pay.tbank.clone().unwrap_or_default();
            if let Some(u) = &pay.url {
                c.url = u.clone();
            }
            payments::ProviderConfig::Tbank(c)
        }
        "yookassa" => {
            let mut c = pay.yookassa.clone().unwrap_or_default();
            if let Some(u) = &pay.url {
                c.url = u.clone();
            }
            if c.state_dir.as_os_str().is_empty() {
                c.state_dir = folder("yookassa");
            }
            payments::ProviderConfig::Yookassa(c)
        }
        other => {
            return Err(EngineError::Payment(format!(
                "unknown payment provider {other:?}"
            )))
        }
    };
    let mut found = payments::ProviderSecrets::new();
    for name in p.secret_names() {
        if let Some(v) = secrets.get(name)? {
            found.insert(name, v);
        }
    }
    payments::build_with_secrets(&p, &found).map_err(|e| EngineError::Payment(e.to_string()))
}

/// Installers type the gateway's address (`http://10.0.0.5:11111`); the API lives under
/// `/api/v3`. An address that already names a path is taken as it is.
pub fn procart_base(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    let after_scheme = trimmed
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(trimmed);
    if after_scheme.contains('/') {
        trimmed.to_string()
    } else {
        format!("{trimmed}/api/v3")
    }
}

#[cfg(test)]
mod tests {
    use super::procart_base;

    #[test]
    fn the_api_path_is_added_only_when_missing() {
        assert_eq!(
            procart_base("http://10.0.0.5:11111"),
            "http://10.0.0.5:11111/api/v3"
        );
        assert_eq!(
            procart_base("http://10.0.0.5:11111/"),
            "http://10.0.0.5:11111/api/v3"
        );
        assert_eq!(
            procart_base("http://h:1112/api/v3/"),
            "http://h:1112/api/v3"
        );
    }
}
