//! Where secrets live: the OS keyring, never a file or a log.
//!
//! On Linux the keyring is the Secret Service (gnome-keyring) over the D-Bus session bus; on
//! Windows the Credential Manager. [`MemorySecrets`] holds secrets that exist only for one run
//! (the demo's token for its built-in simulator, a token passed by `kioskctl --token-env`).
//!
//! The Secret Service fails in four ways on a kiosk PC, and each needs a different fix, so
//! [`SecretError`] tells them apart (from the D-Bus error names and texts that `keyring`
//! passes through, see [`classify`]):
//! - no session bus: the kiosk was started outside a D-Bus session;
//! - no Secret Service: nothing owns `org.freedesktop.secrets` (gnome-keyring is not installed
//!   or not started);
//! - no login keyring: the daemon runs, but no collection was ever created (a fresh account
//!   whose daemon was started without `--unlock`);
//! - locked: the daemon runs but its login collection is locked, and a kiosk has no one to
//!   type the password into a prompt.

use std::collections::HashMap;
use std::sync::Mutex;

use kiosk_core::view::CheckLine;

pub const SERVICE: &str = "kiosk";

/// What to do when there is no D-Bus session (Linux).
pub const FIX_NO_SESSION_BUS: &str = "start the kiosk inside a D-Bus session: from a desktop \
     session, or as `dbus-run-session -- kiosk-app` (apt-get install dbus dbus-user-session); \
     see docs/deploy.md";
/// What to do when nothing provides the Secret Service (Linux).
pub const FIX_NO_SECRET_SERVICE: &str = "install and start a Secret Service provider: \
     apt-get install gnome-keyring, and start `gnome-keyring-daemon --unlock --components=secrets` \
     in the kiosk session (see docs/deploy.md)";
/// What to do when the Secret Service has no login keyring yet (Linux).
pub const FIX_NO_KEYRING: &str = "create and unlock the login keyring at the start of the kiosk \
     session: `echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets` (the first \
     unlock creates it); see docs/deploy.md";
/// What to do when the keyring is locked (Linux).
pub const FIX_LOCKED: &str = "unlock the login keyring at the start of the kiosk session: \
     `echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets`, or let the display \
     manager unlock it at login (apt-get install libpam-gnome-keyring); see docs/deploy.md";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the OS keyring cannot be reached: there is no D-Bus session ({detail}). Fix: {FIX_NO_SESSION_BUS}")]
    NoSessionBus { detail: String },
    #[error("the OS keyring is not available: no Secret Service answers on the D-Bus session ({detail}). Fix: {FIX_NO_SECRET_SERVICE}")]
    NoSecretService { detail: String },
    #[error(
        "the OS keyring has no login keyring to keep secrets in ({detail}). Fix: {FIX_NO_KEYRING}"
    )]
    NoKeyring { detail: String },
    #[error("the OS keyring is locked ({detail}). Fix: {FIX_LOCKED}")]
    Locked { detail: String },
    #[error(
        "the OS keyring is not available ({0}). On Linux install and unlock a Secret Service \
         provider (apt-get install gnome-keyring; it needs a D-Bus session), or set the secret \
         from the set-up screen again"
    )]
    Unavailable(String),
    #[error("the keyring refused to store the secret: {0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
}

impl SecretError {
    /// What went wrong, without the fix (for a check line that shows the fix apart).
    pub fn cause(&self) -> String {
        let text = self.to_string();
        match text.split_once(" Fix: ") {
            Some((cause, _)) => cause.to_string(),
            None => text,
        }
    }

    /// The installer's fix for this failure.
    pub fn fix(&self) -> &'static str {
        match self {
            SecretError::NoSessionBus { .. } => FIX_NO_SESSION_BUS,
            SecretError::NoSecretService { .. } => FIX_NO_SECRET_SERVICE,
            SecretError::NoKeyring { .. } => FIX_NO_KEYRING,
            SecretError::Locked { .. } => FIX_LOCKED,
            SecretError::Unavailable(_) | SecretError::Refused(_) => {
                "check the OS keyring (on Linux: gnome-keyring running and unlocked in a D-Bus \
                 session), then set the secret again in the set-up screen"
            }
            SecretError::Invalid(_) => "enter the value again",
        }
    }
}

/// Sorts a keyring failure into the cases above. `text` is everything the error says (its
/// display and debug forms, which carry the D-Bus error name); `bus_address` is
/// `DBUS_SESSION_BUS_ADDRESS`, whose absence explains an autolaunch failure.
pub fn classify(text: &str, bus_address: Option<&str>, storing: bool) -> SecretError {
    let detail = text.lines().next().unwrap_or(text).trim().to_string();
    let t = text.to_ascii_lowercase();
    let no_bus = t.contains("autolaunch")
        || t.contains("dbus_session_bus_address")
        || t.contains("failed to connect to socket")
        || (t.contains("no such file or directory") && t.contains("dbus"))
        || (t.contains("no dbus session") && bus_address.is_none_or(str::is_empty));
    if no_bus {
        return SecretError::NoSessionBus { detail };
    }
    if t.contains("islocked") || t.contains("locked collection") || t.contains("object locked") {
        return SecretError::Locked { detail };
    }
    // The service answers but has no default collection: a fresh account whose daemon was
    // started without `--unlock` (so no login keyring was ever created).
    if t.contains("noresult") || t.contains("no result found") {
        return SecretError::NoKeyring { detail };
    }
    if t.contains("serviceunknown")
        || t.contains("not provided by any .service")
        || t.contains("no dbus session or secret service")
        || t.contains("name has no owner")
    {
        return SecretError::NoSecretService { detail };
    }
    if t.contains("prompt") {
        // A prompt was needed (to unlock or to create a collection) and nobody can answer it.
        return SecretError::Locked { detail };
    }
    if storing {
        SecretError::Refused(detail)
    } else {
        SecretError::Unavailable(detail)
    }
}

fn keyring_error(e: &keyring::Error, storing: bool) -> SecretError {
    let text = format!("{e}\n{e:?}");
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").ok();
    classify(&text, bus.as_deref(), storing)
}

/// Longest secret accepted: tokens and passwords are short; a long paste is a mistake.
pub const MAX_SECRET_LEN: usize = 512;

/// Refuses values that cannot be a token or password (empty, control characters, too long),
/// with a message that never echoes the value.
pub fn check_value(value: &str) -> Result<(), SecretError> {
    if value.trim().is_empty() {
        return Err(SecretError::Invalid("the value is empty".into()));
    }
    if value.len() > MAX_SECRET_LEN {
        return Err(SecretError::Invalid(format!(
            "the value is longer than {MAX_SECRET_LEN} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(SecretError::Invalid(
            "the value holds control characters (a line break?)".into(),
        ));
    }
    Ok(())
}

pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError>;
}

/// The OS keyring. Entries are `service = "kiosk"`, `user = <entry name>`.
pub struct KeyringSecrets {
    service: String,
    /// A credential store other than the platform's default (tests use an in-process fake).
    builder: Option<Box<keyring::credential::CredentialBuilder>>,
}

impl KeyringSecrets {
    pub fn new() -> Self {
        KeyringSecrets {
            service: SERVICE.to_string(),
            builder: None,
        }
    }

    /// The keyring API over another credential store.
    pub fn with_builder(builder: Box<keyring::credential::CredentialBuilder>) -> Self {
        KeyringSecrets {
            service: SERVICE.to_string(),
            builder: Some(builder),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        match &self.builder {
            Some(b) => b
                .build(None, &self.service, name)
                .map(keyring::Entry::new_with_credential),
            None => keyring::Entry::new(&self.service, name),
        }
        .map_err(|e| keyring_error(&e, false))
    }

    /// Whether the keyring can be used now: reads an entry that need not exist. A locked
    /// collection or a missing service shows here, before the installer types a secret.
    pub fn probe(&self) -> Result<(), SecretError> {
        self.get("kiosk-probe").map(|_| ())
    }

    /// Removes an entry; absent is fine.
    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(&e, true)),
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
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(&e, false)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        check_value(value)?;
        self.entry(name)?
            .set_password(value)
            .map_err(|e| keyring_error(&e, true))
    }
}

/// The keyring's state as a check line for the wizard, the service screen and `doctor`.
pub fn keyring_check(store: &KeyringSecrets) -> CheckLine {
    match store.probe() {
        Ok(()) => CheckLine::ok(
            "keyring",
            "OS keyring",
            "the keyring answers and is unlocked",
        ),
        Err(e) => CheckLine::fail("keyring", "OS keyring", e.cause(), e.fix()),
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

/// An in-process stand-in for the Secret Service, for tests on machines without one: it keeps
/// entries in memory and, when told to, fails exactly as gnome-keyring does (the D-Bus error
/// texts below were seen on Debian 12, see shared/stack.md §8).
pub mod fake {
    use std::any::Any;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};

    /// How the fake keyring behaves.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Mode {
        Working,
        /// No session bus: libdbus cannot autolaunch one without X11.
        NoSessionBus,
        /// A session bus, but nothing owns `org.freedesktop.secrets`.
        NoSecretService,
        /// gnome-keyring started without `--unlock`.
        Locked,
    }

    #[derive(Debug, Default)]
    struct State {
        mode: Option<Mode>,
        values: HashMap<String, String>,
    }

    /// The shared store; clone it to change the mode while a [`super::KeyringSecrets`] uses it.
    #[derive(Debug, Clone, Default)]
    pub struct FakeKeyring(Arc<Mutex<State>>);

    #[derive(Debug)]
    struct Failure(&'static str);
    impl std::fmt::Display for Failure {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Failure {}

    impl FakeKeyring {
        pub fn new(mode: Mode) -> FakeKeyring {
            let k = FakeKeyring::default();
            k.set_mode(mode);
            k
        }

        pub fn set_mode(&self, mode: Mode) {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).mode = Some(mode);
        }

        pub fn builder(&self) -> Box<keyring::credential::CredentialBuilder> {
            Box::new(self.clone())
        }

        /// Every value stored, for tests that look for a secret where it must not be.
        pub fn values(&self) -> Vec<String> {
            let s = self.0.lock().unwrap_or_else(|p| p.into_inner());
            s.values.values().cloned().collect()
        }

        fn fail(&self) -> Option<keyring::Error> {
            let mode = self
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .mode
                .unwrap_or(Mode::Working);
            match mode {
                Mode::Working => None,
                Mode::NoSessionBus => Some(keyring::Error::PlatformFailure(Box::new(Failure(
                    "DBus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11",
                )))),
                Mode::NoSecretService => Some(keyring::Error::PlatformFailure(Box::new(Failure(
                    "DBus error: The name org.freedesktop.secrets was not provided by any .service files",
                )))),
                Mode::Locked => Some(keyring::Error::PlatformFailure(Box::new(Failure(
                    "DBus error: Cannot create an item in a locked collection (org.freedesktop.Secret.Error.IsLocked)",
                )))),
            }
        }
    }

    struct Entry {
        store: FakeKeyring,
        key: String,
    }

    impl CredentialApi for Entry {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            if let Some(e) = self.store.fail() {
                return Err(e);
            }
            let value = String::from_utf8(secret.to_vec())
                .map_err(|e| keyring::Error::BadEncoding(e.into_bytes()))?;
            let mut s = self.store.0.lock().unwrap_or_else(|p| p.into_inner());
            s.values.insert(self.key.clone(), value);
            Ok(())
        }

        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            if let Some(e) = self.store.fail() {
                return Err(e);
            }
            let s = self.store.0.lock().unwrap_or_else(|p| p.into_inner());
            s.values
                .get(&self.key)
                .map(|v| v.as_bytes().to_vec())
                .ok_or(keyring::Error::NoEntry)
        }

        fn delete_credential(&self) -> keyring::Result<()> {
            if let Some(e) = self.store.fail() {
                return Err(e);
            }
            let mut s = self.store.0.lock().unwrap_or_else(|p| p.into_inner());
            s.values
                .remove(&self.key)
                .map(|_| ())
                .ok_or(keyring::Error::NoEntry)
        }

        fn as_any(&self) -> &dyn Any {
            self
        }

        fn debug_fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "FakeEntry({})", self.key)
        }
    }

    impl CredentialBuilderApi for FakeKeyring {
        fn build(
            &self,
            _target: Option<&str>,
            service: &str,
            user: &str,
        ) -> keyring::Result<Box<Credential>> {
            Ok(Box::new(Entry {
                store: self.clone(),
                key: format!("{service}/{user}"),
            }))
        }

        fn as_any(&self) -> &dyn Any {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::{FakeKeyring, Mode};
    use super::*;

    #[test]
    fn secrets_round_trip_through_the_keyring_api() {
        let fake = FakeKeyring::new(Mode::Working);
        let s = KeyringSecrets::with_builder(fake.builder());
        assert_eq!(s.get("pos-token").unwrap(), None);
        s.set("pos-token", "tok-123").unwrap();
        assert_eq!(s.get("pos-token").unwrap().as_deref(), Some("tok-123"));
        s.delete("pos-token").unwrap();
        s.delete("pos-token").unwrap();
        assert_eq!(s.get("pos-token").unwrap(), None);
        assert!(keyring_check(&s).status == kiosk_core::view::CheckStatus::Ok);
    }

    /// Each Linux failure names its cause and the fix: what to install or unlock.
    #[test]
    fn each_linux_failure_says_what_to_install_or_unlock() {
        let cases = [
            (Mode::NoSessionBus, "no D-Bus session", "dbus-run-session"),
            (
                Mode::NoSecretService,
                "no Secret Service",
                "apt-get install gnome-keyring",
            ),
            (Mode::Locked, "is locked", "--unlock"),
        ];
        for (mode, cause, fix) in cases {
            let fake = FakeKeyring::new(mode);
            let s = KeyringSecrets::with_builder(fake.builder());
            for err in [
                s.get("pos-token").unwrap_err(),
                s.set("pos-token", "tok").unwrap_err(),
                s.probe().unwrap_err(),
            ] {
                let text = err.to_string();
                assert!(text.contains(cause), "{mode:?}: {text}");
                assert!(text.contains(fix), "{mode:?}: {text}");
                assert!(err.fix().contains(fix));
            }
            let line = keyring_check(&s);
            assert!(line.failed(), "{line:?}");
            assert!(line.fix.unwrap().contains(fix));
        }
    }

    /// The texts the real backends produce (keyring 3 over libdbus), as seen on Debian 12.
    #[test]
    fn real_error_texts_are_classified() {
        /// (the error's text, DBUS_SESSION_BUS_ADDRESS, the class it must get)
        type Case<'a> = (&'a str, Option<&'a str>, fn(&SecretError) -> bool);
        let cases: &[Case] = &[
            (
                "Platform secure storage failure: DBus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11",
                None,
                |e| matches!(e, SecretError::NoSessionBus { .. }),
            ),
            (
                "Couldn't access platform secure storage: Secret Service: no result found\nNoStorageAccess(NoResult)",
                Some("unix:path=/tmp/bus"),
                |e| matches!(e, SecretError::NoKeyring { .. }),
            ),
            (
                "Platform secure storage failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files",
                Some("unix:path=/tmp/bus"),
                |e| matches!(e, SecretError::NoSecretService { .. }),
            ),
            (
                "Platform secure storage failure: DBus error: Cannot create an item in a locked collection",
                Some("unix:path=/tmp/bus"),
                |e| matches!(e, SecretError::Locked { .. }),
            ),
            (
                "Couldn't access platform secure storage: Secret Service: object locked",
                Some("unix:path=/tmp/bus"),
                |e| matches!(e, SecretError::Locked { .. }),
            ),
            (
                "Couldn't access platform secure storage: No DBus session or Secret Service provider found",
                None,
                |e| matches!(e, SecretError::NoSessionBus { .. }),
            ),
            (
                "Platform secure storage failure: something else",
                Some("unix:path=/tmp/bus"),
                |e| matches!(e, SecretError::Unavailable(_)),
            ),
        ];
        for (text, bus, expected) in cases {
            let e = classify(text, *bus, false);
            assert!(expected(&e), "{text:?} -> {e:?}");
        }
    }

    #[test]
    fn values_that_cannot_be_secrets_are_refused_without_echoing_them() {
        let fake = FakeKeyring::new(Mode::Working);
        let s = KeyringSecrets::with_builder(fake.builder());
        for bad in [
            "",
            "   ",
            "tok\nen",
            "a\u{0}b",
            &"x".repeat(MAX_SECRET_LEN + 1),
        ] {
            let e = s.set("pos-token", bad).unwrap_err();
            assert!(matches!(e, SecretError::Invalid(_)), "{e:?}");
            if !bad.trim().is_empty() {
                assert!(!e.to_string().contains(bad), "{e}");
            }
        }
        assert!(fake.values().is_empty());
    }
}
