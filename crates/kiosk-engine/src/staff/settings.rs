//! The staff settings: who may log in on a staff tablet, how long a session lasts, and whether
//! the app opens the staff screens at all.
//!
//! They live in `staff.toml` in the kiosk's data folder (next to the service PIN), not in the
//! kiosk's own settings file: the set-up wizard owns that file and rewrites it whole, while the
//! staff list changes on its own schedule (people join and leave) and is written by
//! `kioskctl staff add-member`. r_keeper has no staff login the kiosk could ask, so its PINs
//! are kept here, as argon2id hashes (PHC strings), never in plain text. Jupiter checks its own
//! passwords; for it the file only gives names to the users Jupiter returns (it returns no
//! name, reference §5.3), keyed by a fingerprint of the user id, because the id itself is a
//! credential (§1.5).
//!
//! ```toml
//! staff_mode = true       # open the staff screens instead of the customer's
//! idle_logout_s = 300     # a session ends after this long without a staff action
//! max_failures = 5        # wrong PINs/passwords before the login locks
//! lockout_s = 60          # the first lock; each further wrong attempt doubles it
//! counter_tender = "1"    # r_keeper currency code for payments taken at the counter
//! list_hours = 12         # how far back the kiosk's own orders are listed
//!
//! [[member]]
//! id = "anna"
//! name = "Анна К."
//! pin_hash = "$argon2id$v=19$m=19456,t=2,p=1$…"
//!
//! [[member]]              # Jupiter: a name for a user Jupiter knows by password
//! id = "jpos-3fa9c2d1e0"
//! name = "Трофимова В.А."
//! ```

use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
/// The argon2 cost of a new PIN hash (`Params::default()`: 19 MiB, 2 passes).
pub use argon2::Params;
use argon2::{Algorithm, Argon2, Version};
use serde::{Deserialize, Serialize};

use super::StaffError;

/// The file name in the data folder.
pub const STAFF_FILE: &str = "staff.toml";
pub const PIN_MIN: usize = 4;
pub const PIN_MAX: usize = 12;
/// Members whose PINs are tried when a PIN comes without a member id: each try is an argon2
/// verification, so the list is bounded to keep a login under a second on a kiosk PC.
pub const MAX_PIN_MEMBERS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffSettings {
    /// The app opens the staff screens instead of the customer's.
    #[serde(default)]
    pub staff_mode: bool,
    #[serde(default = "default_idle")]
    pub idle_logout_s: u32,
    /// Wrong attempts allowed before the login locks.
    #[serde(default = "default_failures")]
    pub max_failures: u32,
    /// The first lockout, in seconds; each further wrong attempt doubles it (up to an hour).
    #[serde(default = "default_lockout")]
    pub lockout_s: u32,
    /// r_keeper: the currency code of a payment taken at the counter (cash), for `/close`.
    /// Default: the kiosk's own tender.
    #[serde(default)]
    pub counter_tender: Option<String>,
    /// How many hours back the kiosk's own orders are listed (problems are always listed).
    #[serde(default = "default_list_hours")]
    pub list_hours: u32,
    #[serde(default, rename = "member")]
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Stable and not secret: shown in every history line with the name.
    pub id: String,
    pub name: String,
    /// r_keeper: argon2id PHC string of the member's PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_hash: Option<String>,
}

fn default_idle() -> u32 {
    300
}
fn default_failures() -> u32 {
    5
}
fn default_lockout() -> u32 {
    60
}
fn default_list_hours() -> u32 {
    12
}

impl Default for StaffSettings {
    fn default() -> Self {
        StaffSettings {
            staff_mode: false,
            idle_logout_s: default_idle(),
            max_failures: default_failures(),
            lockout_s: default_lockout(),
            counter_tender: None,
            list_hours: default_list_hours(),
            members: vec![],
        }
    }
}

impl StaffSettings {
    /// Reads the file; a missing file is the defaults (no members, no staff mode).
    pub fn load(path: &Path) -> Result<StaffSettings, StaffError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(StaffSettings::default())
            }
            Err(e) => {
                return Err(StaffError::Settings(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        let s: StaffSettings = toml::from_str(&text)
            .map_err(|e| StaffError::Settings(format!("{}: {e}", path.display())))?;
        s.validate()
            .map_err(|why| StaffError::Settings(format!("{}: {why}", path.display())))?;
        Ok(s)
    }

    /// Writes the file atomically and owner-only (it holds PIN hashes).
    pub fn save(&self, path: &Path) -> Result<(), StaffError> {
        self.validate().map_err(StaffError::Settings)?;
        let body = toml::to_string_pretty(self)
            .map_err(|e| StaffError::Settings(format!("cannot write the staff settings: {e}")))?;
        let text = format!(
            "# Staff tablets: who may log in and for how long (see `kioskctl staff add-member`).\n\
             # PINs are argon2id hashes; the plain PIN is never stored.\n\n{body}"
        );
        crate::service::write_private(path, text.as_bytes())
            .map_err(|e| StaffError::Settings(format!("cannot write {}: {e}", path.display())))
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(30..=3600).contains(&self.idle_logout_s) {
            return Err(format!(
                "idle_logout_s is {}; allowed: 30 to 3600 seconds",
                self.idle_logout_s
            ));
        }
        if !(1..=20).contains(&self.max_failures) {
            return Err(format!(
                "max_failures is {}; allowed: 1 to 20",
                self.max_failures
            ));
        }
        if !(1..=3600).contains(&self.lockout_s) {
            return Err(format!(
                "lockout_s is {}; allowed: 1 to 3600 seconds",
                self.lockout_s
            ));
        }
        if !(1..=72).contains(&self.list_hours) {
            return Err(format!(
                "list_hours is {}; allowed: 1 to 72",
                self.list_hours
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for m in &self.members {
            let id_ok = !m.id.is_empty()
                && m.id.len() <= 40
                && m.id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !id_ok {
                return Err(format!(
                    "member id {:?}: 1 to 40 letters, digits, '-', '_' or '.'",
                    m.id
                ));
            }
            if !seen.insert(m.id.as_str()) {
                return Err(format!("member id {:?} appears twice", m.id));
            }
            if m.name.trim().is_empty() || m.name.chars().count() > 60 {
                return Err(format!(
                    "member {:?}: the name must be 1 to 60 characters",
                    m.id
                ));
            }
            if let Some(h) = &m.pin_hash {
                PasswordHash::new(h).map_err(|e| {
                    format!("member {:?}: pin_hash is not an argon2 hash: {e}", m.id)
                })?;
            }
        }
        if self.members.iter().filter(|m| m.pin_hash.is_some()).count() > MAX_PIN_MEMBERS {
            return Err(format!("at most {MAX_PIN_MEMBERS} members may have a PIN"));
        }
        Ok(())
    }

    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// Adds a member or replaces the one with this id. A PIN another member already uses is
    /// refused: a PIN typed without choosing a name must point at one person only.
    pub fn upsert_member(
        &mut self,
        id: &str,
        name: &str,
        pin: Option<&str>,
        params: Params,
    ) -> Result<(), StaffError> {
        let pin_hash = match pin {
            Some(pin) => {
                check_pin_shape(pin)?;
                let taken = self
                    .members
                    .iter()
                    .filter(|m| m.id != id)
                    .filter_map(|m| m.pin_hash.as_deref())
                    .any(|h| verify_pin(pin, h));
                if taken {
                    return Err(StaffError::NotApplicable(
                        "another member already has this PIN; choose another".into(),
                    ));
                }
                Some(hash_pin(pin, params)?)
            }
            None => self.member(id).and_then(|m| m.pin_hash.clone()),
        };
        let member = Member {
            id: id.to_string(),
            name: name.trim().to_string(),
            pin_hash,
        };
        match self.members.iter_mut().find(|m| m.id == id) {
            Some(m) => *m = member,
            None => self.members.push(member),
        }
        self.validate().map_err(StaffError::Settings)
    }
}

/// A PIN is 4 to 12 digits.
pub fn check_pin_shape(pin: &str) -> Result<(), StaffError> {
    if (PIN_MIN..=PIN_MAX).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(StaffError::NotApplicable(format!(
            "a staff PIN is {PIN_MIN} to {PIN_MAX} digits"
        )))
    }
}

/// argon2id PHC string of `pin`. `params` sets the cost; the string carries it, so a hash made
/// with other parameters still verifies.
pub fn hash_pin(pin: &str, params: Params) -> Result<String, StaffError> {
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| StaffError::Settings(format!("cannot hash the PIN: {e}")))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StaffError::Settings(format!("cannot hash the PIN: {e}")))
}

/// Whether `pin` matches the PHC string. An unreadable hash matches nothing.
pub fn verify_pin(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Params {
        Params::new(256, 1, 1, None).unwrap()
    }

    #[test]
    fn pins_are_stored_hashed_and_verify() {
        let mut s = StaffSettings::default();
        s.upsert_member("anna", "Анна К.", Some("4821"), cheap())
            .unwrap();
        let h = s.member("anna").unwrap().pin_hash.clone().unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("4821"));
        assert!(verify_pin("4821", &h));
        assert!(!verify_pin("4822", &h));
        assert!(!verify_pin("4821", "not a hash"));
    }

    #[test]
    fn a_pin_in_use_or_of_the_wrong_shape_is_refused() {
        let mut s = StaffSettings::default();
        s.upsert_member("anna", "Анна", Some("4821"), cheap())
            .unwrap();
        assert!(s
            .upsert_member("boris", "Борис", Some("4821"), cheap())
            .is_err());
        assert!(s
            .upsert_member("boris", "Борис", Some("12"), cheap())
            .is_err());
        assert!(s
            .upsert_member("boris", "Борис", Some("12ab"), cheap())
            .is_err());
        // Renaming keeps the PIN.
        s.upsert_member("anna", "Анна К.", None, cheap()).unwrap();
        assert!(verify_pin(
            "4821",
            s.member("anna").unwrap().pin_hash.as_deref().unwrap()
        ));
    }

    #[test]
    fn the_file_round_trips_and_bad_values_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STAFF_FILE);
        assert_eq!(
            StaffSettings::load(&path).unwrap(),
            StaffSettings::default()
        );
        let mut s = StaffSettings {
            staff_mode: true,
            ..StaffSettings::default()
        };
        s.upsert_member("anna", "Анна", Some("4821"), cheap())
            .unwrap();
        s.save(&path).unwrap();
        assert_eq!(StaffSettings::load(&path).unwrap(), s);
        std::fs::write(&path, "idle_logout_s = 5\n").unwrap();
        let e = StaffSettings::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("idle_logout_s") && e.contains("30 to 3600"),
            "{e}"
        );
        std::fs::write(&path, "idle_logout = 50\n").unwrap();
        assert!(StaffSettings::load(&path).is_err());
    }
}
