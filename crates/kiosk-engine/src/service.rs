//! The service menu and the set-up wizard, without their screens: the service PIN, service
//! sessions, the settings form, the secrets and the connection test.
//!
//! **The PIN** is stored as an argon2id hash (PHC string) in `service-pin.json` in the data
//! folder, owner-only, never in plain text. Wrong attempts are counted *before* the hash is
//! checked and written to disk at once, so killing the app in the middle of a guess, or
//! restarting it, never resets the count. After [`PinPolicy::free_attempts`] wrong ones every
//! further wrong one locks the menu for twice as long as the one before (30 s, 1 min, 2 min …
//! up to an hour); while locked, no PIN is even checked. A right PIN clears the count.
//!
//! **Sessions.** A right PIN grants a random session id that every service command must carry;
//! it expires after a few idle minutes and with the process. So the UI cannot reach a service
//! action by skipping the PIN screen: the back end refuses it.
//!
//! Until a PIN is set (a new installation) the wizard's commands work without a session; the
//! wizard's last step sets the PIN.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use kiosk_core::cart::OrderType;
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::view::{
    AppMode, CheckLine, ConnectionReport, MenuSummary, PaymentTestReport, PinState, PinVerdict,
    SecretKind, SettingsForm, SettingsProblem, SettingsSaved, SetupStatus,
};
use serde::{Deserialize, Serialize};

use crate::config::{
    CallbackSection, JupiterStrategy, KioskConfig, KioskSection, MenuSection, OrderTypes,
    PaymentSection, PosKind, PosSection,
};
use crate::secrets::{SecretError, SecretStore};
use payments::sbpilot::SbPilotConfig;

pub const PIN_FILE: &str = "service-pin.json";
pub const PIN_MIN: usize = 4;
pub const PIN_MAX: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the PIN must be {PIN_MIN} to {PIN_MAX} digits")]
    BadPin,
    #[error("the service menu is locked: enter the service PIN first")]
    NotAuthorized,
    #[error("the service PIN record {path} cannot be used: {why}")]
    PinFile { path: PathBuf, why: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

impl From<ServiceError> for IpcError {
    fn from(e: ServiceError) -> IpcError {
        let code = match &e {
            ServiceError::BadPin => ErrorCode::BadInput,
            ServiceError::NotAuthorized => ErrorCode::NotAuthorized,
            ServiceError::Secret(SecretError::Invalid(_)) => ErrorCode::BadInput,
            ServiceError::Secret(_) => ErrorCode::KeyringUnavailable,
            _ => ErrorCode::Internal,
        };
        IpcError::new(code, e.to_string())
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The clock the lockout counts in (seconds since the epoch); tests pass their own.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

#[derive(Debug, Clone)]
pub struct PinPolicy {
    /// Wrong attempts allowed before the first lockout.
    pub free_attempts: u32,
    pub first_lockout: Duration,
    pub max_lockout: Duration,
    /// argon2id cost. The default (19 MiB, 2 passes) takes tens of milliseconds on a kiosk PC.
    pub params: Params,
}

impl Default for PinPolicy {
    fn default() -> Self {
        PinPolicy {
            free_attempts: 3,
            first_lockout: Duration::from_secs(30),
            max_lockout: Duration::from_secs(3600),
            params: Params::default(),
        }
    }
}

impl PinPolicy {
    /// How long the `failures`-th wrong attempt in a row locks the menu.
    pub fn lockout(&self, failures: u32) -> Duration {
        if failures < self.free_attempts {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_attempts).min(20);
        (self.first_lockout * 2u32.pow(doublings)).min(self.max_lockout)
    }
}

/// What `service-pin.json` holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct PinRecord {
    /// argon2id PHC string.
    hash: Option<String>,
    failures: u32,
    /// Seconds since the epoch before which no attempt is checked.
    locked_until: u64,
}

pub struct PinStore {
    path: PathBuf,
    policy: PinPolicy,
    clock: Clock,
    /// One attempt at a time: two concurrent guesses must not both get the same free attempt.
    lock: Mutex<()>,
}

/// The outcome of [`PinStore::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinCheck {
    Right,
    Wrong {
        attempts_before_lockout: u32,
        retry_in_s: u64,
    },
    LockedOut {
        retry_in_s: u64,
    },
    NotSet,
}

impl PinStore {
    pub fn open(data_dir: &Path) -> PinStore {
        PinStore::with(data_dir, PinPolicy::default(), Arc::new(unix_now))
    }

    pub fn with(data_dir: &Path, policy: PinPolicy, clock: Clock) -> PinStore {
        PinStore {
            path: data_dir.join(PIN_FILE),
            policy,
            clock,
            lock: Mutex::new(()),
        }
    }

    fn load(&self) -> Result<PinRecord, ServiceError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ServiceError::PinFile {
                path: self.path.clone(),
                why: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PinRecord::default()),
            Err(e) => Err(ServiceError::PinFile {
                path: self.path.clone(),
                why: e.to_string(),
            }),
        }
    }

    fn save(&self, rec: &PinRecord) -> Result<(), ServiceError> {
        let bytes = serde_json::to_vec_pretty(rec).expect("plain data");
        write_private(&self.path, &bytes).map_err(|source| ServiceError::Write {
            path: self.path.clone(),
            source,
        })
    }

    /// Seconds until an attempt is allowed. A lock further away than the longest lockout means
    /// the clock went back (an RTC reset): it is capped rather than honoured for years.
    fn retry_in(&self, rec: &PinRecord) -> u64 {
        let now = (self.clock)();
        rec.locked_until
            .saturating_sub(now)
            .min(self.policy.max_lockout.as_secs())
    }

    pub fn state(&self) -> Result<PinState, ServiceError> {
        let rec = self.load()?;
        Ok(PinState {
            set: rec.hash.is_some(),
            retry_in_s: self.retry_in(&rec),
            failed_attempts: rec.failures,
        })
    }

    pub fn is_set(&self) -> bool {
        self.load().map(|r| r.hash.is_some()).unwrap_or(true)
    }

    /// Sets (or replaces) the PIN and clears the failure count.
    pub fn set(&self, pin: &str) -> Result<(), ServiceError> {
        check_pin_shape(pin)?;
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
            .map_err(|e| ServiceError::Hash(e.to_string()))?;
        let hash = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            self.policy.params.clone(),
        )
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| ServiceError::Hash(e.to_string()))?
        .to_string();
        self.save(&PinRecord {
            hash: Some(hash),
            failures: 0,
            locked_until: 0,
        })
    }

    /// Checks a PIN; see the module comment for the lockout.
    pub fn verify(&self, pin: &str) -> Result<PinCheck, ServiceError> {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut rec = self.load()?;
        let Some(hash) = rec.hash.clone() else {
            return Ok(PinCheck::NotSet);
        };
        let wait = self.retry_in(&rec);
        if wait > 0 {
            return Ok(PinCheck::LockedOut { retry_in_s: wait });
        }
        // Count the attempt as wrong and persist that before checking: a crash or a kill
        // during the check cannot then grant a free guess.
        rec.failures = rec.failures.saturating_add(1);
        let lock = self.policy.lockout(rec.failures);
        rec.locked_until = if lock.is_zero() {
            0
        } else {
            (self.clock)() + lock.as_secs()
        };
        self.save(&rec)?;
        // A PIN of the wrong shape is wrong: still counted, never hashed (a megabyte "PIN"
        // costs nothing).
        let right = check_pin_shape(pin).is_ok()
            && PasswordHash::new(&hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(pin.as_bytes(), &h)
                        .is_ok()
                })
                .map_err(|e| ServiceError::PinFile {
                    path: self.path.clone(),
                    why: format!("the stored hash is not readable: {e}"),
                })?;
        if right {
            rec.failures = 0;
            rec.locked_until = 0;
            self.save(&rec)?;
            return Ok(PinCheck::Right);
        }
        tracing::warn!(failures = rec.failures, "wrong service PIN");
        Ok(PinCheck::Wrong {
            attempts_before_lockout: self.policy.free_attempts.saturating_sub(rec.failures),
            retry_in_s: lock.as_secs(),
        })
    }
}

fn check_pin_shape(pin: &str) -> Result<(), ServiceError> {
    if (PIN_MIN..=PIN_MAX).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ServiceError::BadPin)
    }
}

/// Writes a file atomically (temp file, fsync, rename) and owner-only.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    {
        let mut o = std::fs::OpenOptions::new();
        o.create(true).write(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Service sessions: granted by a right PIN, carried by every service command.
pub struct Sessions {
    ttl: Duration,
    open: Mutex<HashMap<String, Instant>>,
}

impl Sessions {
    pub fn new(ttl: Duration) -> Sessions {
        Sessions {
            ttl,
            open: Mutex::new(HashMap::new()),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn grant(&self) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|_, last| last.elapsed() < self.ttl);
        open.insert(id.clone(), Instant::now());
        id
    }

    /// Accepts a live session and keeps it alive for another `ttl`.
    pub fn check(&self, session: &str) -> Result<(), ServiceError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        match open.get_mut(session) {
            Some(last) if last.elapsed() < self.ttl => {
                *last = Instant::now();
                Ok(())
            }
            Some(_) => {
                open.remove(session);
                Err(ServiceError::NotAuthorized)
            }
            None => Err(ServiceError::NotAuthorized),
        }
    }

    pub fn end(&self, session: &str) {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(session);
    }
}

/// The service back end of one kiosk: its PIN and sessions, and where its settings are.
pub struct Service {
    pub pins: PinStore,
    pub sessions: Sessions,
    pub settings_path: PathBuf,
    pub data_dir: PathBuf,
}

impl Service {
    pub fn new(settings_path: PathBuf, data_dir: PathBuf) -> Service {
        Service {
            pins: PinStore::open(&data_dir),
            sessions: Sessions::new(Duration::from_secs(600)),
            settings_path,
            data_dir,
        }
    }

    /// Enters the service menu with a PIN.
    pub fn unlock(&self, pin: &str) -> Result<PinVerdict, ServiceError> {
        Ok(match self.pins.verify(pin)? {
            PinCheck::Right => {
                tracing::info!("service menu opened");
                PinVerdict::Granted {
                    session: self.sessions.grant(),
                    expires_in_s: self.sessions.ttl().as_secs(),
                }
            }
            PinCheck::Wrong {
                attempts_before_lockout,
                retry_in_s,
            } => PinVerdict::Wrong {
                attempts_before_lockout,
                retry_in_s,
            },
            PinCheck::LockedOut { retry_in_s } => PinVerdict::LockedOut { retry_in_s },
            PinCheck::NotSet => PinVerdict::NotSet,
        })
    }

    /// Allows a service or wizard action: with a live session, or on a new installation that has
    /// no PIN yet (the wizard runs before there is one).
    pub fn authorize(&self, session: Option<&str>) -> Result<(), ServiceError> {
        if let Some(s) = session {
            if self.sessions.check(s).is_ok() {
                return Ok(());
            }
        }
        if !self.pins.is_set() {
            return Ok(());
        }
        Err(ServiceError::NotAuthorized)
    }

    /// Sets or changes the PIN (authorized like every other service action).
    pub fn set_pin(&self, session: Option<&str>, pin: &str) -> Result<(), ServiceError> {
        self.authorize(session)?;
        self.pins.set(pin)?;
        tracing::info!("service PIN set");
        Ok(())
    }

    /// The settings file as it is now, or its problems.
    pub fn load_settings(&self) -> Result<KioskConfig, String> {
        KioskConfig::load(&self.settings_path).map_err(|e| e.to_string())
    }

    /// Where the installation stands, for the wizard.
    pub fn setup_status(
        &self,
        secrets: &dyn SecretStore,
        keyring: CheckLine,
        demo: bool,
    ) -> SetupStatus {
        let loaded = self.load_settings();
        let (configured, problem, form, config) = match &loaded {
            Ok(c) => (true, None, form_from_config(c), Some(c)),
            Err(e) if !self.settings_path.exists() => (
                false,
                Some(format!(
                    "no settings yet ({} does not exist)",
                    self.settings_path.display()
                )),
                default_form(),
                None,
            ),
            Err(e) => (false, Some(e.clone()), default_form(), None),
        };
        let present = |kind: SecretKind| {
            secrets
                .get(&secret_name(config, kind))
                .ok()
                .flatten()
                .is_some()
        };
        let secrets_set: Vec<SecretKind> = SecretKind::ALL
            .iter()
            .copied()
            .filter(|k| present(*k))
            .collect();
        SetupStatus {
            configured,
            demo,
            settings_path: self.settings_path.display().to_string(),
            settings_problem: problem,
            settings: form,
            pos_token_set: secrets_set.contains(&SecretKind::PosToken),
            pos_user_password_set: secrets_set.contains(&SecretKind::PosUserPassword),
            keyring,
            pin_set: self.pins.is_set(),
            secrets_set,
        }
    }

    /// Checks the form and, when it is right, writes the settings file (atomically; the old
    /// one is kept as `.bak`). Keys the form does not show (data folder, keyring entry names)
    /// keep their values from the current file.
    pub fn save_settings(&self, form: &SettingsForm) -> Result<SettingsSaved, ServiceError> {
        let base = self.load_settings().ok();
        let path = self.settings_path.display().to_string();
        let config = match config_from_form(form, base.as_ref()) {
            Ok(c) => c,
            Err(problems) => {
                return Ok(SettingsSaved {
                    saved: false,
                    path,
                    problems,
                })
            }
        };
        if self.settings_path.exists() {
            let _ = std::fs::copy(
                &self.settings_path,
                self.settings_path.with_extension("toml.bak"),
            );
        }
        write_private(&self.settings_path, config.to_toml().as_bytes()).map_err(|source| {
            ServiceError::Write {
                path: self.settings_path.clone(),
                source,
            }
        })?;
        tracing::info!(path = %self.settings_path.display(), "settings saved");
        Ok(SettingsSaved {
            saved: true,
            path,
            problems: vec![],
        })
    }
}

/// The keyring entry of a secret: the one the settings name, or its default.
pub fn secret_name(config: Option<&KioskConfig>, kind: SecretKind) -> String {
    let pay = config.map(|c| &c.payment);
    let tbank = pay.and_then(|p| p.tbank.clone()).unwrap_or_default();
    let yookassa = pay.and_then(|p| p.yookassa.clone()).unwrap_or_default();
    match kind {
        SecretKind::PosToken => config.map_or_else(|| "pos-token".into(), |c| c.pos.secret.clone()),
        SecretKind::PosUserPassword => {
            config.map_or_else(|| "pos-user".into(), |c| c.pos.user_secret.clone())
        }
        SecretKind::TbankTerminalKey => tbank.terminal_key_secret,
        SecretKind::TbankPassword => tbank.password_secret,
        SecretKind::YookassaShopId => yookassa.shop_id_secret,
        SecretKind::YookassaSecretKey => yookassa.secret_key_secret,
    }
}

/// Stores a POS secret in the keyring, under the entry the settings name.
pub fn set_secret(
    secrets: &dyn SecretStore,
    config: Option<&KioskConfig>,
    kind: SecretKind,
    value: &str,
) -> Result<(), ServiceError> {
    crate::secrets::check_value(value)?;
    let name = secret_name(config, kind);
    secrets.set(&name, value.trim())?;
    crate::logs::redact(value.trim());
    tracing::info!(entry = %name, "secret stored in the OS keyring");
    Ok(())
}

/// What a form would give, without saving: the problems by field (empty when it is right).
pub fn check_settings(form: &SettingsForm, base: Option<&KioskConfig>) -> Vec<SettingsProblem> {
    config_from_form(form, base).err().unwrap_or_default()
}

/// The amount of the set-up screens' test sale, given back at once.
pub const TEST_SALE: &str = "1.00";

/// The keyring entries a payment provider needs, with what each is.
fn payment_secrets(provider: &str) -> &'static [(SecretKind, &'static str)] {
    match provider {
        "tbank" => &[
            (SecretKind::TbankTerminalKey, "T-Bank terminal key"),
            (SecretKind::TbankPassword, "T-Bank terminal password"),
        ],
        "yookassa" => &[
            (SecretKind::YookassaShopId, "YooKassa shop id"),
            (SecretKind::YookassaSecretKey, "YooKassa secret key"),
        ],
        _ => &[],
    }
}

/// The set-up screens' "Test the payment provider" with the given settings and the keyring's
/// keys: the keys are there, the provider answers (the card terminal's own check, `sb_pilot 26`;
/// T-Bank's `CheckOrder`, which also proves the signature; the simulator's status), and, with
/// `sale`, a sale of [`TEST_SALE`] that is refunded (or cancelled, for a QR nobody paid) at once,
/// its terminal prompts and QR sent to `progress` as they come. Nothing is charged without
/// `sale`. The same steps as `kioskctl payment-test`.
pub async fn test_payment(
    config: &KioskConfig,
    secrets: &dyn SecretStore,
    data_dir: &Path,
    sale: bool,
    progress: kiosk_core::ports::ProgressSink,
) -> PaymentTestReport {
    let provider = config.payment.provider.clone();
    let mut lines = Vec::new();
    for (kind, what) in payment_secrets(&provider) {
        let entry = secret_name(Some(config), *kind);
        lines.push(match secrets.get(&entry) {
            Ok(Some(_)) => CheckLine::ok(
                "payment.key",
                what,
                format!("in the OS keyring (entry {entry})"),
            ),
            Ok(None) => CheckLine::fail(
                "payment.key",
                what,
                format!("not in the OS keyring (entry {entry})"),
                "enter it in the payment step and test again",
            ),
            Err(e) => CheckLine::fail("keyring", "OS keyring", e.to_string(), e.fix()),
        });
    }
    let report = |lines: Vec<CheckLine>, returned: bool| PaymentTestReport {
        provider: provider.clone(),
        ok: returned && !lines.iter().any(CheckLine::failed),
        lines,
    };
    if lines.iter().any(CheckLine::failed) {
        return report(lines, false);
    }
    // The test's waits are the installer's: at most two minutes for a QR to be paid.
    let mut config = config.clone();
    if provider == "tbank" {
        let t = config.payment.tbank.get_or_insert_with(Default::default);
        t.wait_s = Some(t.wait_s.unwrap_or(t.qr_lifetime_s).min(120));
    }
    if provider == "yookassa" {
        let y = config.payment.yookassa.get_or_insert_with(Default::default);
        y.wait_s = y.wait_s.min(120);
    }
    match provider.as_str() {
        "sbpilot" => lines.push(sbpilot_health(&config, data_dir).await),
        "yookassa" => lines.push(CheckLine::skipped(
            "payment",
            "Payment provider",
            "YooKassa is reached only by a payment: run the test sale to check the shop id, the key and the address",
        )),
        _ => lines.push(crate::diagnostics::check_payment(&config, secrets).await.0),
    }
    if !sale || lines.iter().any(CheckLine::failed) {
        return report(lines, !sale);
    }
    if provider == "counter" {
        lines.push(CheckLine::skipped(
            "payment.sale",
            "Test sale",
            "customers pay at the counter: there is nothing to charge",
        ));
        return report(lines, true);
    }
    let returned = test_sale(&config, secrets, data_dir, progress, &mut lines).await;
    report(lines, returned)
}

/// `sb_pilot 26`: the terminal's own check, which charges nothing.
async fn sbpilot_health(config: &KioskConfig, data_dir: &Path) -> CheckLine {
    const LABEL: &str = "Card terminal (sb_pilot 26)";
    let Some(mut c) = config.payment.sbpilot.clone() else {
        return CheckLine::fail(
            "payment",
            LABEL,
            "no sb_pilot program is named",
            "give the path of the bank's sb_pilot executable",
        );
    };
    if c.work_dir.as_os_str().is_empty() {
        c.work_dir = data_dir.join("payments").join("sbpilot");
    }
    let binary = c.binary.display().to_string();
    let provider = match payments::sbpilot::SbPilotProvider::new(c) {
        Ok(p) => p,
        Err(e) => {
            return CheckLine::fail(
                "payment",
                LABEL,
                e.to_string(),
                format!("check that {binary} exists and may be run by the kiosk's user"),
            )
        }
    };
    match provider.health().await {
        Ok(answer) => CheckLine::ok("payment", LABEL, format!("the terminal answers: {answer}")),
        Err(e) => CheckLine::fail(
            "payment",
            LABEL,
            e.to_string(),
            "check that the pinpad is connected and switched on, and sb_pilot's pinpad.ini",
        ),
    }
}

/// A sale of [`TEST_SALE`], then the money back: refunded when approved, cancelled when the
/// outcome is still open (a QR nobody paid). True when nothing stays charged.
async fn test_sale(
    config: &KioskConfig,
    secrets: &dyn SecretStore,
    data_dir: &Path,
    progress: kiosk_core::ports::ProgressSink,
    lines: &mut Vec<CheckLine>,
) -> bool {
    use kiosk_core::payment::{PaymentOutcome, PaymentRequest, RefundOutcome};
    let provider = match crate::pos::build_provider_with_secrets(config, secrets, data_dir) {
        Ok(p) => p,
        Err(e) => {
            lines.push(CheckLine::fail(
                "payment.sale",
                "Test sale",
                e.to_string(),
                "correct the payment settings and keys",
            ));
            return false;
        }
    };
    let amount = kiosk_core::Money::parse(TEST_SALE).expect("a valid amount");
    // T-Bank takes order ids of at most 36 characters.
    let attempt_id = format!(
        "setup-test-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..20]
    );
    tracing::info!(attempt = %attempt_id, provider = provider.name(), "payment test sale");
    let req = PaymentRequest {
        attempt_id: attempt_id.clone(),
        order_ref: attempt_id.clone(),
        amount,
        description: "Kiosk set-up: test payment".into(),
    };
    let sale = match provider.start(&req, progress).await {
        Ok(o) => o,
        Err(e) => {
            lines.push(CheckLine::fail(
                "payment.sale",
                "Test sale",
                e.to_string(),
                "check the provider's address, keys and account; run the check first",
            ));
            // The charge may have happened: ask once more, and give back what was taken.
            return settle_test(provider.as_ref(), &attempt_id, amount, lines).await;
        }
    };
    let what = format!("Test sale of {amount}");
    match &sale {
        PaymentOutcome::Approved { receipt } => lines.push(CheckLine::ok(
            "payment.sale",
            &what,
            format!("approved, transaction {}", receipt.transaction_id),
        )),
        PaymentOutcome::Declined { reason } => lines.push(CheckLine::fail(
            "payment.sale",
            &what,
            format!("declined: {reason}"),
            "the provider refused the payment: check the account, or try another card",
        )),
        PaymentOutcome::Cancelled => lines.push(CheckLine::warn(
            "payment.sale",
            &what,
            "cancelled at the terminal; nothing was charged",
            "run the test again and pay it",
        )),
        PaymentOutcome::Pending => lines.push(CheckLine::warn(
            "payment.sale",
            &what,
            "not paid in time",
            "scan the QR (or present the card) within two minutes",
        )),
        PaymentOutcome::NotFound | PaymentOutcome::PayAtCounter => lines.push(CheckLine::fail(
            "payment.sale",
            &what,
            format!("unexpected answer: {sale:?}"),
            "check the provider's settings",
        )),
    }
    match sale {
        PaymentOutcome::Approved { .. } => {
            let r = provider.refund(&attempt_id, amount).await;
            match r {
                Ok(RefundOutcome::Refunded { reference }) => {
                    lines.push(CheckLine::ok(
                        "payment.refund",
                        "Refund",
                        format!("given back ({reference})"),
                    ));
                    true
                }
                Ok(other) => {
                    lines.push(CheckLine::fail(
                        "payment.refund",
                        "Refund",
                        format!("{other:?}"),
                        format!("the test charge of {amount} (attempt {attempt_id}) was not given back: refund it in the provider's account"),
                    ));
                    false
                }
                Err(e) => {
                    lines.push(CheckLine::fail(
                        "payment.refund",
                        "Refund",
                        e.to_string(),
                        format!("the test charge of {amount} (attempt {attempt_id}) was not given back: refund it in the provider's account"),
                    ));
                    false
                }
            }
        }
        PaymentOutcome::Pending => settle_test(provider.as_ref(), &attempt_id, amount, lines).await,
        _ => false,
    }
}

/// After a test sale whose outcome is open: cancels it, and refunds it if it was paid after all.
async fn settle_test(
    provider: &dyn kiosk_core::ports::PaymentProvider,
    attempt_id: &str,
    amount: kiosk_core::Money,
    lines: &mut Vec<CheckLine>,
) -> bool {
    use kiosk_core::payment::{PaymentOutcome, RefundOutcome};
    let fix = format!(
        "check attempt {attempt_id} in the provider's account and give back {amount} if it was charged"
    );
    match provider.cancel(attempt_id).await {
        Ok(PaymentOutcome::Cancelled) | Ok(PaymentOutcome::NotFound) => {
            lines.push(CheckLine::ok(
                "payment.cancel",
                "Cancel",
                "cancelled: nothing was charged",
            ));
            false
        }
        Ok(PaymentOutcome::Approved { .. }) => match provider.refund(attempt_id, amount).await {
            Ok(RefundOutcome::Refunded { reference }) => {
                lines.push(CheckLine::ok(
                    "payment.refund",
                    "Refund",
                    format!("paid late, given back ({reference})"),
                ));
                false
            }
            other => {
                lines.push(CheckLine::fail(
                    "payment.refund",
                    "Refund",
                    format!("{other:?}"),
                    fix,
                ));
                false
            }
        },
        Ok(other) => {
            lines.push(CheckLine::warn(
                "payment.cancel",
                "Cancel",
                format!("{other:?}"),
                fix,
            ));
            false
        }
        Err(e) => {
            lines.push(CheckLine::fail(
                "payment.cancel",
                "Cancel",
                e.to_string(),
                fix,
            ));
            false
        }
    }
}

/// The wizard's "Test the connection" with the given settings and the keyring's secrets.
pub async fn test_connection(config: &KioskConfig, secrets: &dyn SecretStore) -> ConnectionReport {
    let kind = config.pos.kind.as_str().to_string();
    let pos = match crate::pos::build(config, secrets) {
        Ok(p) => p,
        Err(e) => {
            let line = match &e {
                crate::engine::EngineError::Secret(se) => {
                    CheckLine::fail("keyring", "OS keyring", se.to_string(), se.fix())
                }
                other => CheckLine::fail(
                    "pos.token",
                    token_label(config.pos.kind),
                    other.to_string(),
                    "enter it in the set-up screen and test again",
                ),
            };
            return ConnectionReport {
                pos: kind,
                ok: false,
                latency_ms: None,
                info: None,
                lines: vec![line],
                menu: None,
            };
        }
    };
    let ping = crate::diagnostics::check_pos(pos.as_ref(), &config.pos.url).await;
    let mut lines = ping.lines;
    let mut menu = None;
    // Jupiter: the menu (getTT) is part of the test; a ProCart menu costs the gateway seconds
    // and is checked by the pre-flight instead.
    if config.pos.kind == PosKind::Jupiter && !lines.iter().any(CheckLine::failed) {
        match pos.menu().await {
            Ok(c) => {
                let s = MenuSummary::of(&c);
                lines.push(CheckLine::ok(
                    "pos.menu",
                    "Menu (getTT)",
                    format!(
                        "menu {}: {} sections, {} dishes, {} modifier groups, {} combos, {} faults",
                        s.version,
                        s.sections,
                        s.dishes,
                        s.modifier_groups,
                        s.combos,
                        s.faults.len()
                    ),
                ));
                menu = Some(s);
            }
            Err(e) => lines.push(CheckLine::fail(
                "pos.menu",
                "Menu (getTT)",
                e.to_string(),
                "check that the kiosk's terminal group has a menu (layout) assigned in Jupiter",
            )),
        }
    }
    ConnectionReport {
        pos: kind,
        ok: !lines.iter().any(CheckLine::failed),
        latency_ms: ping.info.as_ref().map(|i| i.latency_ms),
        info: ping.info,
        lines,
        menu,
    }
}

fn token_label(kind: PosKind) -> &'static str {
    match kind {
        PosKind::Procart => "ProCart token",
        PosKind::Jupiter => "Jupiter server id and user",
    }
}

/// The form for a new installation: ProCart, the usual defaults.
pub fn default_form() -> SettingsForm {
    SettingsForm {
        kiosk_id: "kiosk-1".into(),
        restaurant_name: None,
        languages: vec!["ru".into(), "en".into()],
        idle_timeout_s: 90,
        idle_countdown_s: 20,
        confirmation_timeout_s: 30,
        pos_kind: "procart".into(),
        pos_url: "http://".into(),
        table: None,
        jupiter_strategy: "pay_first".into(),
        payment_provider: "counter".into(),
        payment_url: None,
        sbpilot_binary: None,
        sbpilot_install_dir: None,
        tender: "1".into(),
        tender_name: None,
        payment_timeout_s: None,
        order_types: vec![OrderType::EatIn, OrderType::Takeaway],
        eat_in_category: None,
        takeaway_category: None,
        menu_refresh_s: 60,
        callbacks_listen: None,
        callbacks_public_url: None,
        mode: AppMode::Customer,
    }
}

pub fn form_from_config(c: &KioskConfig) -> SettingsForm {
    SettingsForm {
        kiosk_id: c.kiosk.id.clone(),
        restaurant_name: c.kiosk.restaurant_name.clone(),
        languages: c.kiosk.languages.clone(),
        idle_timeout_s: c.kiosk.idle_timeout_s,
        idle_countdown_s: c.kiosk.idle_countdown_s,
        confirmation_timeout_s: c.kiosk.confirmation_timeout_s,
        pos_kind: c.pos.kind.as_str().into(),
        pos_url: c.pos.url.clone(),
        table: c.pos.table.clone(),
        jupiter_strategy: match c.pos.strategy {
            JupiterStrategy::PayFirst => "pay_first",
            JupiterStrategy::SubmitFirst => "submit_first",
        }
        .into(),
        payment_provider: c.payment.provider.clone(),
        payment_url: c.payment.url.clone(),
        sbpilot_binary: c
            .payment
            .sbpilot
            .as_ref()
            .map(|p| p.binary.display().to_string()),
        sbpilot_install_dir: c
            .payment
            .sbpilot
            .as_ref()
            .and_then(|p| p.install_dir.as_ref())
            .map(|d| d.display().to_string()),
        tender: c.payment.tender.clone(),
        tender_name: c.payment.tender_name.clone(),
        payment_timeout_s: c.payment.timeout_s.map(|t| t.min(u32::MAX as u64) as u32),
        order_types: c.order_types.offered.clone(),
        eat_in_category: c.order_types.category(OrderType::EatIn),
        takeaway_category: c.order_types.category(OrderType::Takeaway),
        menu_refresh_s: c.menu.refresh_s.min(u32::MAX as u64) as u32,
        callbacks_listen: c.callbacks.as_ref().map(|x| x.listen.clone()),
        callbacks_public_url: c.callbacks.as_ref().and_then(|x| x.public_url.clone()),
        mode: c.kiosk.mode,
    }
}

/// The form field a settings key is edited in.
fn field_of(key: &str) -> &str {
    let root = key.split('[').next().unwrap_or(key);
    match root {
        "kiosk.id" => "kiosk_id",
        "kiosk.restaurant_name" => "restaurant_name",
        "kiosk.languages" => "languages",
        "kiosk.idle_timeout_s" => "idle_timeout_s",
        "kiosk.idle_countdown_s" => "idle_countdown_s",
        "kiosk.confirmation_timeout_s" => "confirmation_timeout_s",
        "kiosk.mode" => "mode",
        "pos.url" => "pos_url",
        "pos.table" => "table",
        "payment.provider" => "payment_provider",
        "payment.url" => "payment_url",
        "payment.tender" => "tender",
        "payment.timeout_s" => "payment_timeout_s",
        "payment.sbpilot" | "payment.sbpilot.binary" => "sbpilot_binary",
        "payment.sbpilot.install_dir" => "sbpilot_install_dir",
        "order_types.offered" => "order_types",
        "order_types.categories.eat_in" => "eat_in_category",
        "order_types.categories.takeaway" => "takeaway_category",
        "menu.refresh_s" => "menu_refresh_s",
        "callbacks" | "callbacks.listen" => "callbacks_listen",
        "callbacks.public_url" => "callbacks_public_url",
        other => other,
    }
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The settings a form describes, or what is wrong with it (by form field).
pub fn config_from_form(
    f: &SettingsForm,
    base: Option<&KioskConfig>,
) -> Result<KioskConfig, Vec<SettingsProblem>> {
    let mut problems = Vec::new();
    let kind = match f.pos_kind.as_str() {
        "procart" => PosKind::Procart,
        "jupiter" => PosKind::Jupiter,
        other => {
            problems.push(SettingsProblem {
                field: "pos_kind".into(),
                message: format!("{other:?} is not one of: procart, jupiter"),
            });
            PosKind::Procart
        }
    };
    let strategy = match f.jupiter_strategy.as_str() {
        "pay_first" | "" => JupiterStrategy::PayFirst,
        "submit_first" => JupiterStrategy::SubmitFirst,
        other => {
            problems.push(SettingsProblem {
                field: "jupiter_strategy".into(),
                message: format!("{other:?} is not one of: pay_first, submit_first"),
            });
            JupiterStrategy::PayFirst
        }
    };
    let mut categories = std::collections::BTreeMap::new();
    if let Some(c) = blank_to_none(&f.eat_in_category) {
        categories.insert("eat_in".to_string(), c);
    }
    if let Some(c) = blank_to_none(&f.takeaway_category) {
        categories.insert("takeaway".to_string(), c);
    }
    // The card terminal's table exists when its program is named; its other keys (folders,
    // environment, encoding) keep the file's values.
    let sbpilot = blank_to_none(&f.sbpilot_binary).map(|binary| {
        let mut c = base
            .and_then(|b| b.payment.sbpilot.clone())
            .unwrap_or_else(|| SbPilotConfig::new(&binary, PathBuf::new()));
        c.binary = PathBuf::from(binary);
        c.install_dir = blank_to_none(&f.sbpilot_install_dir).map(PathBuf::from);
        c
    });
    let provider = f.payment_provider.trim();
    if matches!(provider, "tbank" | "yookassa") {
        if let Some(u) = blank_to_none(&f.payment_url) {
            let scheme_ok = u.starts_with("https://") || u.starts_with("http://");
            if !scheme_ok || u.chars().any(char::is_whitespace) {
                problems.push(SettingsProblem {
                    field: "payment_url".into(),
                    message: format!(
                        "must be the API's address starting with https://, or empty for production (got {u:?})"
                    ),
                });
            }
        }
    }
    let callbacks = blank_to_none(&f.callbacks_listen).map(|listen| CallbackSection {
        listen,
        public_url: blank_to_none(&f.callbacks_public_url),
    });
    let config = KioskConfig {
        kiosk: KioskSection {
            id: f.kiosk_id.trim().to_string(),
            languages: f.languages.clone(),
            idle_timeout_s: f.idle_timeout_s,
            idle_countdown_s: f.idle_countdown_s,
            confirmation_timeout_s: f.confirmation_timeout_s,
            restaurant_name: blank_to_none(&f.restaurant_name),
            data_dir: base.and_then(|b| b.kiosk.data_dir.clone()),
            mode: f.mode,
        },
        pos: PosSection {
            kind,
            url: f.pos_url.trim().to_string(),
            secret: base.map_or_else(|| "pos-token".into(), |b| b.pos.secret.clone()),
            table: blank_to_none(&f.table),
            user_secret: base.map_or_else(|| "pos-user".into(), |b| b.pos.user_secret.clone()),
            strategy,
        },
        payment: PaymentSection {
            provider: f.payment_provider.trim().to_string(),
            url: blank_to_none(&f.payment_url),
            tender: f.tender.trim().to_string(),
            tender_name: blank_to_none(&f.tender_name),
            timeout_s: f.payment_timeout_s.map(u64::from),
            sbpilot,
            // The form does not show these tables' finer keys: they keep the file's values.
            tbank: base.and_then(|b| b.payment.tbank.clone()),
            yookassa: base.and_then(|b| b.payment.yookassa.clone()),
        },
        order_types: OrderTypes {
            offered: f.order_types.clone(),
            categories,
        },
        menu: MenuSection {
            refresh_s: u64::from(f.menu_refresh_s),
        },
        callbacks,
        // The form does not edit the printer yet: the file's `[printer]` stays as it is.
        printer: base.and_then(|b| b.printer.clone()),
    };
    if let Err(e) = config.validate() {
        for p in e.0 {
            problems.push(SettingsProblem {
                field: field_of(p.key.as_deref().unwrap_or("")).to_string(),
                message: p.message,
            });
        }
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A cheap argon2 so the tests stay fast in debug builds; the stored hash carries its own
    /// parameters, so verification is the production code path.
    fn cheap() -> PinPolicy {
        PinPolicy {
            params: Params::new(256, 1, 1, None).unwrap(),
            ..PinPolicy::default()
        }
    }

    fn store(dir: &Path) -> (PinStore, Arc<AtomicU64>) {
        let now = Arc::new(AtomicU64::new(1_000_000));
        let t = now.clone();
        let s = PinStore::with(dir, cheap(), Arc::new(move || t.load(Ordering::SeqCst)));
        (s, now)
    }

    #[test]
    fn the_pin_is_stored_hashed_never_plain() {
        let dir = tempfile::tempdir().unwrap();
        let (s, _) = store(dir.path());
        assert_eq!(s.verify("1234").unwrap(), PinCheck::NotSet);
        s.set("482916").unwrap();
        let file = std::fs::read_to_string(dir.path().join(PIN_FILE)).unwrap();
        assert!(!file.contains("482916"), "{file}");
        assert!(file.contains("$argon2id$"), "{file}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(PIN_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        assert_eq!(s.verify("482916").unwrap(), PinCheck::Right);
    }

    #[test]
    fn pins_of_the_wrong_shape_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (s, _) = store(dir.path());
        for bad in ["", "123", "12a4", "1234567890123", "１２３４", "12 34"] {
            assert!(matches!(s.set(bad), Err(ServiceError::BadPin)), "{bad:?}");
        }
    }

    /// Wrong attempts lock the menu for longer and longer; a restart (a new store on the same
    /// folder) keeps the count and the lock; the right PIN while locked is not even checked.
    #[test]
    fn wrong_pins_lock_with_back_off_that_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let (s, now) = store(dir.path());
        s.set("2468").unwrap();
        let wrong = |s: &PinStore| s.verify("1111").unwrap();
        assert_eq!(
            wrong(&s),
            PinCheck::Wrong {
                attempts_before_lockout: 2,
                retry_in_s: 0
            }
        );
        assert_eq!(
            wrong(&s),
            PinCheck::Wrong {
                attempts_before_lockout: 1,
                retry_in_s: 0
            }
        );
        assert_eq!(
            wrong(&s),
            PinCheck::Wrong {
                attempts_before_lockout: 0,
                retry_in_s: 30
            }
        );
        // Locked: even the right PIN is refused without being checked.
        assert_eq!(
            s.verify("2468").unwrap(),
            PinCheck::LockedOut { retry_in_s: 30 }
        );
        // A restart does not help.
        drop(s);
        let (s, _) = {
            let t = now.clone();
            (
                PinStore::with(
                    dir.path(),
                    cheap(),
                    Arc::new(move || t.load(Ordering::SeqCst)),
                ),
                (),
            )
        };
        assert_eq!(s.state().unwrap().retry_in_s, 30);
        assert_eq!(s.state().unwrap().failed_attempts, 3);
        now.fetch_add(29, Ordering::SeqCst);
        assert_eq!(
            s.verify("2468").unwrap(),
            PinCheck::LockedOut { retry_in_s: 1 }
        );
        // Each further wrong attempt doubles the wait.
        now.fetch_add(1, Ordering::SeqCst);
        assert_eq!(
            wrong(&s),
            PinCheck::Wrong {
                attempts_before_lockout: 0,
                retry_in_s: 60
            }
        );
        now.fetch_add(60, Ordering::SeqCst);
        assert_eq!(
            wrong(&s),
            PinCheck::Wrong {
                attempts_before_lockout: 0,
                retry_in_s: 120
            }
        );
        now.fetch_add(120, Ordering::SeqCst);
        // The right PIN clears the count.
        assert_eq!(s.verify("2468").unwrap(), PinCheck::Right);
        assert_eq!(s.state().unwrap().failed_attempts, 0);
        assert_eq!(
            wrong(&s),
            PinCheck::Wrong {
                attempts_before_lockout: 2,
                retry_in_s: 0
            }
        );
    }

    #[test]
    fn the_lockout_is_capped_and_a_clock_set_back_does_not_lock_for_years() {
        let p = PinPolicy::default();
        assert_eq!(p.lockout(2), Duration::ZERO);
        assert_eq!(p.lockout(3), Duration::from_secs(30));
        assert_eq!(p.lockout(9), Duration::from_secs(1920));
        assert_eq!(p.lockout(10), Duration::from_secs(3600));
        assert_eq!(p.lockout(u32::MAX), Duration::from_secs(3600));

        let dir = tempfile::tempdir().unwrap();
        let (s, now) = store(dir.path());
        s.set("2468").unwrap();
        for _ in 0..3 {
            s.verify("0000").unwrap();
        }
        now.store(10, Ordering::SeqCst); // the RTC went back to 1970
        assert_eq!(s.state().unwrap().retry_in_s, 3600);
    }

    /// A guess that never finishes (the app killed during the hash check) still counts.
    #[test]
    fn an_attempt_counts_before_it_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (s, _) = store(dir.path());
        s.set("2468").unwrap();
        // Simulate the kill: the record written before the check, with no answer after it.
        let mut rec = s.load().unwrap();
        rec.failures += 1;
        s.save(&rec).unwrap();
        assert_eq!(s.state().unwrap().failed_attempts, 1);
        assert_eq!(
            s.verify("0000").unwrap(),
            PinCheck::Wrong {
                attempts_before_lockout: 1,
                retry_in_s: 0
            }
        );
    }

    #[test]
    fn a_wrong_pin_never_opens_the_service_menu() {
        let dir = tempfile::tempdir().unwrap();
        let svc = Service {
            pins: PinStore::with(dir.path(), cheap(), Arc::new(unix_now)),
            sessions: Sessions::new(Duration::from_secs(600)),
            settings_path: dir.path().join("kiosk.toml"),
            data_dir: dir.path().to_path_buf(),
        };
        // A new installation: the wizard may act until a PIN is set.
        svc.authorize(None).unwrap();
        svc.set_pin(None, "13579").unwrap();
        assert!(matches!(
            svc.authorize(None),
            Err(ServiceError::NotAuthorized)
        ));
        let hostile = [
            "",
            "0",
            "1357",
            "135790",
            "13579 ",
            " 13579",
            "13579\n",
            "１３５７９",
            "13579\u{0}",
            "' OR 1=1 --",
            &"9".repeat(100_000),
        ];
        for pin in hostile {
            match svc.unlock(pin).unwrap() {
                PinVerdict::Granted { .. } => panic!("{pin:?} opened the service menu"),
                PinVerdict::NotSet => panic!("the PIN is set"),
                PinVerdict::Wrong { .. } | PinVerdict::LockedOut { .. } => {}
            }
        }
        // A made-up session opens nothing either.
        for s in [
            "",
            "0",
            "00000000000000000000000000000000",
            "../../etc/passwd",
        ] {
            assert!(matches!(
                svc.authorize(Some(s)),
                Err(ServiceError::NotAuthorized)
            ));
        }
        assert!(matches!(
            svc.set_pin(Some("forged"), "1111"),
            Err(ServiceError::NotAuthorized)
        ));
    }

    #[test]
    fn sessions_are_granted_by_the_right_pin_and_end() {
        let dir = tempfile::tempdir().unwrap();
        let svc = Service {
            pins: PinStore::with(dir.path(), cheap(), Arc::new(unix_now)),
            sessions: Sessions::new(Duration::from_secs(600)),
            settings_path: dir.path().join("kiosk.toml"),
            data_dir: dir.path().to_path_buf(),
        };
        svc.set_pin(None, "8642").unwrap();
        let PinVerdict::Granted { session, .. } = svc.unlock("8642").unwrap() else {
            panic!("the right PIN")
        };
        svc.authorize(Some(&session)).unwrap();
        svc.sessions.end(&session);
        assert!(svc.authorize(Some(&session)).is_err());
        // An expired session is refused.
        let short = Sessions::new(Duration::ZERO);
        let s = short.grant();
        assert!(short.check(&s).is_err());
    }

    #[test]
    fn the_form_round_trips_and_names_its_wrong_fields() {
        let demo = KioskConfig::demo("http://127.0.0.1:9", PathBuf::from("/var/lib/kiosk"));
        let form = form_from_config(&demo);
        assert_eq!(config_from_form(&form, Some(&demo)).unwrap(), demo);

        let mut bad = default_form();
        bad.pos_kind = "iiko".into();
        bad.pos_url = "10.0.0.5".into();
        bad.payment_provider = "simulator".into();
        bad.idle_timeout_s = 1;
        let problems = config_from_form(&bad, None).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["pos_kind", "idle_timeout_s", "pos_url", "payment_url"],
            "{problems:?}"
        );
        assert!(problems[0].message.contains("procart, jupiter"));
    }

    #[test]
    fn saving_writes_a_file_the_kiosk_reads_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let svc = Service::new(dir.path().join("etc/kiosk.toml"), dir.path().to_path_buf());
        let mut form = default_form();
        form.pos_url = "http://10.0.0.5:11111".into();
        let saved = svc.save_settings(&form).unwrap();
        assert!(saved.saved, "{saved:?}");
        let c = KioskConfig::load(&dir.path().join("etc/kiosk.toml")).unwrap();
        assert_eq!(c.pos.url, "http://10.0.0.5:11111");
        form.kiosk_id = "".into();
        let refused = svc.save_settings(&form).unwrap();
        assert!(!refused.saved && refused.problems[0].field == "kiosk_id");
        // Nothing was written by the refused save.
        assert_eq!(
            KioskConfig::load(&dir.path().join("etc/kiosk.toml")).unwrap(),
            c
        );
        form.kiosk_id = "kiosk-2".into();
        assert!(svc.save_settings(&form).unwrap().saved);
        assert!(dir.path().join("etc/kiosk.toml.bak").exists());
    }

    #[test]
    fn secrets_go_to_the_entries_the_settings_name() {
        let fake = crate::secrets::fake::FakeKeyring::new(crate::secrets::fake::Mode::Working);
        let store = crate::secrets::KeyringSecrets::with_builder(fake.builder());
        let mut c = KioskConfig::demo("http://127.0.0.1:9", PathBuf::from("/var/lib/kiosk"));
        c.pos.secret = "procart-main".into();
        set_secret(&store, Some(&c), SecretKind::PosToken, " tok-42 ").unwrap();
        assert_eq!(
            store.get("procart-main").unwrap().as_deref(),
            Some("tok-42")
        );
        set_secret(&store, None, SecretKind::PosUserPassword, "pw-9").unwrap();
        assert_eq!(store.get("pos-user").unwrap().as_deref(), Some("pw-9"));
        let e = set_secret(&store, None, SecretKind::PosToken, "a\nb").unwrap_err();
        assert!(matches!(e, ServiceError::Secret(SecretError::Invalid(_))));
        fake.set_mode(crate::secrets::fake::Mode::Locked);
        let e = IpcError::from(set_secret(&store, None, SecretKind::PosToken, "tok").unwrap_err());
        assert_eq!(e.code, ErrorCode::KeyringUnavailable);
        assert!(e.message.contains("--unlock"), "{}", e.message);
    }
}
