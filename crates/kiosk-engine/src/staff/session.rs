//! Staff sessions and the login lockout, in memory.
//!
//! A session is granted by a right PIN or a password Jupiter accepts and is what every staff
//! action is attributed to. It ends after `idle_logout_s` without a staff action (the tablet
//! is left on the counter) or on logout; sessions never outlive the process. Time comes from
//! a [`StaffClock`] so tests move it by hand instead of sleeping.
//!
//! The lockout counts wrong attempts per kiosk, whichever member they were for: a PIN can be
//! typed without choosing a name, so a per-member count would let a guesser spread attempts.
//! It is kept in memory: restarting the app needs access to the tablet's OS, which is more than
//! a guess at the screen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pos_jupiter::Secret;

use super::StaffError;

/// Monotonic time since an arbitrary start.
pub type StaffClock = Arc<dyn Fn() -> Duration + Send + Sync>;

pub fn system_clock() -> StaffClock {
    let start = Instant::now();
    Arc::new(move || start.elapsed())
}

/// Who a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffIdentity {
    /// Stable and not secret: the settings' member id, or `jpos-…` for a Jupiter user.
    pub id: String,
    pub name: String,
}

impl StaffIdentity {
    /// How the journal names the member: their name and the id that tells namesakes apart.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.id)
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub who: StaffIdentity,
    /// Jupiter: the user id `get_user_id` returned, which every order command repeats.
    pub pos_user: Option<Secret>,
    pub warning: Option<String>,
    last_active: Duration,
}

/// The lockout rule: `free` wrong attempts, then `first` and doubling up to an hour.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub free: u32,
    pub first: Duration,
}

impl LockoutPolicy {
    pub fn lockout(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free).min(12);
        (self.first * 2u32.pow(doublings)).min(Duration::from_secs(3600))
    }
}

#[derive(Debug, Default)]
struct Guard {
    failures: u32,
    locked_until: Duration,
}

pub struct Sessions {
    clock: StaffClock,
    open: Mutex<HashMap<String, Session>>,
    guard: Mutex<Guard>,
}

/// What a wrong attempt leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub attempts_before_lockout: u32,
    pub retry_in_s: u64,
}

impl Sessions {
    pub fn new(clock: StaffClock) -> Sessions {
        Sessions {
            clock,
            open: Mutex::new(HashMap::new()),
            guard: Mutex::new(Guard::default()),
        }
    }

    fn now(&self) -> Duration {
        (self.clock)()
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seconds until a login attempt is allowed.
    pub fn retry_in_s(&self) -> u64 {
        let g = self.guard.lock().unwrap_or_else(|p| p.into_inner());
        ceil_s(g.locked_until.saturating_sub(self.now()))
    }

    /// Counts a wrong attempt.
    pub fn failed(&self, policy: LockoutPolicy) -> Failure {
        let mut g = self.guard.lock().unwrap_or_else(|p| p.into_inner());
        g.failures = g.failures.saturating_add(1);
        let lock = policy.lockout(g.failures);
        if !lock.is_zero() {
            g.locked_until = self.now() + lock;
        }
        Failure {
            attempts_before_lockout: policy.free.saturating_sub(g.failures),
            retry_in_s: ceil_s(lock),
        }
    }

    pub fn succeeded(&self) {
        *self.guard.lock().unwrap_or_else(|p| p.into_inner()) = Guard::default();
    }

    pub fn grant(
        &self,
        who: StaffIdentity,
        pos_user: Option<Secret>,
        warning: Option<String>,
    ) -> Session {
        let s = Session {
            id: uuid::Uuid::new_v4().simple().to_string(),
            who,
            pos_user,
            warning,
            last_active: self.now(),
        };
        self.open().insert(s.id.clone(), s.clone());
        s
    }

    /// A live session, kept alive for another `idle`. An idle one is refused (the sweeper
    /// releases what it held).
    pub fn check(&self, id: &str, idle: Duration) -> Result<Session, StaffError> {
        let now = self.now();
        let mut open = self.open();
        match open.get_mut(id) {
            Some(s) if now.saturating_sub(s.last_active) < idle => {
                s.last_active = now;
                Ok(s.clone())
            }
            _ => Err(StaffError::NotAuthorized),
        }
    }

    /// A live session, *not* kept alive: for reads a screen makes on its own (polling the order
    /// list), which must not keep an unattended tablet logged in.
    pub fn peek(&self, id: &str, idle: Duration) -> Result<Session, StaffError> {
        let now = self.now();
        match self.open().get(id) {
            Some(s) if now.saturating_sub(s.last_active) < idle => Ok(s.clone()),
            _ => Err(StaffError::NotAuthorized),
        }
    }

    /// Removes and returns the sessions idle for `idle` or longer.
    pub fn expire(&self, idle: Duration) -> Vec<Session> {
        let now = self.now();
        let mut open = self.open();
        let gone: Vec<String> = open
            .values()
            .filter(|s| now.saturating_sub(s.last_active) >= idle)
            .map(|s| s.id.clone())
            .collect();
        gone.into_iter().filter_map(|id| open.remove(&id)).collect()
    }

    pub fn end(&self, id: &str) -> Option<Session> {
        self.open().remove(id)
    }

    pub fn any_open(&self) -> bool {
        !self.open().is_empty()
    }

    /// The instant on the staff clock, for lock ages.
    pub fn clock_now(&self) -> Duration {
        self.now()
    }
}

fn ceil_s(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn manual() -> (StaffClock, Arc<AtomicU64>) {
        let ms = Arc::new(AtomicU64::new(0));
        let t = ms.clone();
        (
            Arc::new(move || Duration::from_millis(t.load(Ordering::SeqCst))),
            ms,
        )
    }

    fn who() -> StaffIdentity {
        StaffIdentity {
            id: "anna".into(),
            name: "Анна".into(),
        }
    }

    #[test]
    fn a_session_ends_after_idling_and_activity_keeps_it() {
        let (clock, ms) = manual();
        let s = Sessions::new(clock);
        let idle = Duration::from_secs(60);
        let id = s.grant(who(), None, None).id;
        ms.store(50_000, Ordering::SeqCst);
        s.check(&id, idle).unwrap();
        ms.store(100_000, Ordering::SeqCst);
        s.check(&id, idle).unwrap();
        assert!(s.expire(idle).is_empty());
        // Reads do not count as activity.
        ms.store(150_000, Ordering::SeqCst);
        s.peek(&id, idle).unwrap();
        ms.store(160_000, Ordering::SeqCst);
        assert!(s.peek(&id, idle).is_err());
        assert!(s.check(&id, idle).is_err());
        assert_eq!(s.expire(idle).len(), 1);
        assert!(!s.any_open());
    }

    #[test]
    fn wrong_attempts_lock_the_login_for_longer_each_time() {
        let (clock, ms) = manual();
        let s = Sessions::new(clock);
        let p = LockoutPolicy {
            free: 2,
            first: Duration::from_secs(30),
        };
        assert_eq!(s.failed(p).retry_in_s, 0);
        assert_eq!(s.failed(p).retry_in_s, 30);
        assert_eq!(s.retry_in_s(), 30);
        ms.store(30_000, Ordering::SeqCst);
        assert_eq!(s.retry_in_s(), 0);
        assert_eq!(s.failed(p).retry_in_s, 60);
        s.succeeded();
        assert_eq!(s.retry_in_s(), 0);
        assert_eq!(s.failed(p).attempts_before_lockout, 1);
    }
}
