//! The kiosk's settings: a TOML file of non-secret values.
//!
//! Secrets (the POS token, payment keys) are never here: the file names the keyring entry that
//! holds each one. Unknown keys are errors, so a typo is reported with its line instead of being
//! silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kiosk_core::cart::OrderType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    pub kiosk: KioskSection,
    pub pos: PosSection,
    pub payment: PaymentSection,
    #[serde(default)]
    pub order_types: OrderTypes,
    #[serde(default)]
    pub menu: MenuSection,
    /// ProCart push notifications; without this section order status is polled only.
    pub callbacks: Option<CallbackSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackSection {
    /// Where the kiosk listens, e.g. `0.0.0.0:8765`.
    pub listen: String,
    /// How ProCart reaches the kiosk, e.g. `http://10.0.0.21:8765`; default: the listen address.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskSection {
    /// Short id of this kiosk, part of every external order id (e.g. `kiosk-1`).
    pub id: String,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    #[serde(default = "default_idle")]
    pub idle_timeout_s: u32,
    #[serde(default = "default_countdown")]
    pub idle_countdown_s: u32,
    #[serde(default = "default_confirmation")]
    pub confirmation_timeout_s: u32,
    /// Shown in the kiosk's header.
    pub restaurant_name: Option<String>,
    /// Where the journal, menu snapshot and image cache live.
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PosKind {
    Procart,
    Jupiter,
}

impl PosKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PosKind::Procart => "procart",
            PosKind::Jupiter => "jupiter",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PosSection {
    pub kind: PosKind,
    pub url: String,
    /// The keyring entry holding the token (ProCart) or the server id (Jupiter).
    #[serde(default = "default_secret_name")]
    pub secret: String,
    /// The POS table orders go to; the gateway's own default when absent.
    pub table: Option<String>,
    /// Jupiter: the keyring entry holding the kiosk user's password.
    #[serde(default = "default_user_secret")]
    pub user_secret: String,
    /// Jupiter: `pay_first` (charge the menu price, then send and close the order) or
    /// `submit_first` (send the order open, charge Jupiter's total, then close it).
    #[serde(default)]
    pub strategy: JupiterStrategy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JupiterStrategy {
    #[default]
    PayFirst,
    SubmitFirst,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSection {
    /// `simulator` or `counter`.
    pub provider: String,
    /// The simulator's address (demo and tests).
    pub url: Option<String>,
    /// The POS tender recorded with the payment: an r_keeper currency code, a Jupiter pay type.
    pub tender: String,
    /// The tender's name where the POS wants one with the code (Jupiter's reports).
    pub tender_name: Option<String>,
    /// How long the customer may take at the terminal before the kiosk stops waiting for the
    /// answer and asks the provider for the payment's status instead (seconds; default 90).
    pub timeout_s: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderTypes {
    /// Order types offered, in display order.
    pub offered: Vec<OrderType>,
    /// POS order category per order type (it selects the prices).
    pub categories: BTreeMap<String, String>,
}

impl Default for OrderTypes {
    fn default() -> Self {
        OrderTypes {
            offered: vec![OrderType::EatIn, OrderType::Takeaway],
            categories: BTreeMap::new(),
        }
    }
}

impl OrderTypes {
    pub fn category(&self, t: OrderType) -> Option<String> {
        let key = match t {
            OrderType::EatIn => "eat_in",
            OrderType::Takeaway => "takeaway",
        };
        self.categories.get(key).cloned()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuSection {
    /// Seconds between background refreshes; never below 60 for ProCart, whose menu is cached
    /// server side for up to a minute anyway.
    #[serde(default = "default_refresh")]
    pub refresh_s: u64,
}

impl Default for MenuSection {
    fn default() -> Self {
        MenuSection {
            refresh_s: default_refresh(),
        }
    }
}

fn default_languages() -> Vec<String> {
    vec!["ru".into(), "en".into()]
}
fn default_idle() -> u32 {
    90
}
fn default_countdown() -> u32 {
    20
}
fn default_user_secret() -> String {
    "pos-user".into()
}
fn default_confirmation() -> u32 {
    30
}
fn default_secret_name() -> String {
    "pos-token".into()
}
fn default_refresh() -> u64 {
    60
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the settings file {path} is not valid: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl KioskConfig {
    pub fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses and checks the values; the message names the line and what is allowed.
    pub fn parse(text: &str) -> Result<KioskConfig, String> {
        let cfg: KioskConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.kiosk.id.trim().is_empty() || self.kiosk.id.len() > 20 {
            return Err("kiosk.id must be 1 to 20 characters".into());
        }
        if !(self.pos.url.starts_with("http://") || self.pos.url.starts_with("https://")) {
            return Err(format!(
                "pos.url must start with http:// or https://, got {:?}",
                self.pos.url
            ));
        }
        match self.payment.provider.as_str() {
            "simulator" => {
                if self.payment.url.is_none() {
                    return Err("payment.url is required for the simulator provider".into());
                }
            }
            "counter" => {}
            other => {
                return Err(format!(
                    "payment.provider {other:?} is not one of: simulator, counter"
                ))
            }
        }
        if self.order_types.offered.is_empty() {
            return Err("order_types.offered must list at least one order type".into());
        }
        for key in self.order_types.categories.keys() {
            if key != "eat_in" && key != "takeaway" {
                return Err(format!(
                    "order_types.categories has {key:?}; allowed: eat_in, takeaway"
                ));
            }
        }
        if self.menu.refresh_s < 60 && self.pos.kind == PosKind::Procart {
            return Err(format!(
                "menu.refresh_s is {}; ProCart menus must not be fetched more than once a minute (use 60 or more)",
                self.menu.refresh_s
            ));
        }
        if self.kiosk.idle_timeout_s < 10 {
            return Err("kiosk.idle_timeout_s must be at least 10".into());
        }
        Ok(())
    }

    /// The demo set-up against the built-in Jupiter simulator.
    pub fn demo_jupiter(sim_url: &str, data_dir: PathBuf) -> KioskConfig {
        let mut c = KioskConfig::demo(sim_url, data_dir);
        c.pos.kind = PosKind::Jupiter;
        c.pos.url = format!("{}/jpos/index.php", sim_url.trim_end_matches('/'));
        c.payment.tender = "paymentCard".into();
        c.payment.tender_name = Some("Банковская карта".into());
        c.order_types.categories.clear();
        c.menu.refresh_s = 60;
        c
    }

    /// The demo set-up against the built-in simulator.
    pub fn demo(sim_url: &str, data_dir: PathBuf) -> KioskConfig {
        KioskConfig {
            kiosk: KioskSection {
                id: "demo-1".into(),
                languages: default_languages(),
                idle_timeout_s: default_idle(),
                idle_countdown_s: default_countdown(),
                confirmation_timeout_s: default_confirmation(),
                restaurant_name: Some("Бургерная «Огонёк»".into()),
                data_dir: Some(data_dir),
            },
            pos: PosSection {
                kind: PosKind::Procart,
                url: sim_url.to_string(),
                secret: default_secret_name(),
                table: None,
                user_secret: default_user_secret(),
                strategy: JupiterStrategy::PayFirst,
            },
            payment: PaymentSection {
                provider: "simulator".into(),
                url: Some(sim_url.to_string()),
                tender: "1".into(),
                tender_name: None,
                timeout_s: None,
            },
            order_types: OrderTypes {
                offered: vec![OrderType::EatIn, OrderType::Takeaway],
                categories: [
                    ("eat_in".to_string(), "1".to_string()),
                    ("takeaway".to_string(), "2".to_string()),
                ]
                .into_iter()
                .collect(),
            },
            menu: MenuSection::default(),
            callbacks: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[kiosk]
id = "kiosk-1"

[pos]
kind = "procart"
url = "http://10.0.0.5:11111"

[payment]
provider = "counter"
tender = "1"

[order_types]
offered = ["eat_in", "takeaway"]
categories = { eat_in = "1", takeaway = "2" }
"#;

    #[test]
    fn parses_a_good_file() {
        let c = KioskConfig::parse(GOOD).unwrap();
        assert_eq!(
            c.order_types.category(OrderType::Takeaway).as_deref(),
            Some("2")
        );
        assert_eq!(c.kiosk.idle_timeout_s, 90);
    }

    #[test]
    fn unknown_keys_are_reported_with_their_line() {
        let bad = GOOD.replace("tender = \"1\"", "tender = \"1\"\ntendr = 2");
        let err = KioskConfig::parse(&bad).unwrap_err();
        assert!(err.contains("tendr") && err.contains("line"), "{err}");
    }

    #[test]
    fn wrong_values_say_what_is_allowed() {
        let err = KioskConfig::parse(&GOOD.replace("\"counter\"", "\"cash\"")).unwrap_err();
        assert!(err.contains("simulator, counter"), "{err}");
        let err = KioskConfig::parse(
            &GOOD.replace("[order_types]", "[menu]\nrefresh_s = 5\n[order_types]"),
        )
        .unwrap_err();
        assert!(err.contains("once a minute"), "{err}");
    }
}
