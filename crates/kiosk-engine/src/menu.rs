//! The menu the kiosk shows: the last good catalog, kept on disk and refreshed in the background.
//!
//! - **Start instantly.** [`MenuService::new`] reads the snapshot ([`crate::snapshot`]) before
//!   the window asks for anything, so the kiosk shows a menu at once even with the POS down. A
//!   snapshot that does not read back is set aside as `*.rejected` with the reason logged and
//!   kept in [`MenuStatus`], and the kiosk fetches afresh.
//! - **Never replace good with bad.** A fetch that failed, or a menu that is empty or mostly
//!   unreadable ([`check_usable`]), never replaces the current one. A menu that looks *partial*
//!   next to the current one (it lost more than half of the dishes, or every section) is held
//!   back until the next refresh returns the same thing again: a glitch does not survive two
//!   answers in a row, a real change does.
//! - **Refresh politely** ([`RefreshPolicy`]). ProCart's `getmenu` costs the gateway 0.5–2 s and
//!   is cached there for a minute, so no two fetches are closer than a minute, whatever the
//!   settings say or however many screens ask; callers that arrive during a refresh share its
//!   outcome. A POS that can tell "unchanged" cheaply (Jupiter's `checkUpdate`) plugs in a
//!   [`MenuProbe`], and an unchanged menu then costs one small request and no disk write.
//! - **Know how old it is.** The menu's age counts from the last time the POS confirmed it, and
//!   [`MenuService::status`] says where it came from and why the last refresh failed, for the
//!   service screen.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use kiosk_core::catalog::{Catalog, FaultKind};
use kiosk_core::ports::Pos;
use kiosk_core::PosError;
use serde::Serialize;
use tokio::sync::{watch, Mutex};
use tokio::time::Instant;

use crate::snapshot;

#[derive(Debug, Clone)]
pub struct MenuState {
    pub catalog: Arc<Catalog>,
    /// When the POS produced this content (seconds since the epoch).
    pub fetched_at: u64,
    /// When the POS last said this is still its menu; the menu's age counts from here.
    pub confirmed_at: u64,
}

impl MenuState {
    /// Seconds since the POS last confirmed this menu.
    pub fn age_s(&self) -> u64 {
        unix_now().saturating_sub(self.confirmed_at)
    }
}

/// Where the current menu came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuSource {
    Snapshot,
    Pos,
}

/// What the service screen shows about the menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuStatus {
    pub version: Option<String>,
    pub source: Option<MenuSource>,
    pub fetched_at: Option<u64>,
    pub confirmed_at: Option<u64>,
    pub age_s: Option<u64>,
    /// Older than three refresh periods: the POS has not confirmed it for a while.
    pub stale: bool,
    pub last_attempt_at: Option<u64>,
    /// Why the last refresh did not update the menu; `None` after a good one.
    pub last_error: Option<String>,
    /// Why the snapshot on disk was not used at start.
    pub snapshot_rejected: Option<String>,
    /// A menu the POS returned that is waiting for confirmation (see the module comment).
    pub held: Option<String>,
}

/// Why a catalog must not become the kiosk's menu, whatever it replaces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("the menu is empty: no dish and no combo")]
    Empty,
    #[error("the menu is mostly unreadable: {left_out} entries left out, {kept} kept")]
    MostlyMalformed { left_out: usize, kept: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error("the menu is not available: {0}")]
    Pos(#[from] PosError),
    #[error("the POS returned a menu the kiosk will not use ({0}); keeping the last good one")]
    Unusable(#[from] Unusable),
    #[error("the POS returned a menu that looks partial ({0}); it is used only if the next refresh confirms it")]
    Held(String),
    #[error("{0}")]
    Earlier(String),
}

/// Refuses catalogs no kiosk should show. Faults the adapters report for entries they could not
/// read are counted as left out.
pub fn check_usable(c: &Catalog) -> Result<(), Unusable> {
    let kept = c.dishes.len() + c.combos.len();
    if kept == 0 {
        return Err(Unusable::Empty);
    }
    let left_out = c
        .faults
        .iter()
        .filter(|f| f.kind == FaultKind::Malformed && f.message.contains("left out"))
        .count();
    if left_out > kept {
        return Err(Unusable::MostlyMalformed { left_out, kept });
    }
    Ok(())
}

/// Why a usable catalog still looks like a partial answer next to the current menu.
fn looks_partial(new: &Catalog, current: &Catalog) -> Option<String> {
    let (n, c) = (new.dishes.len(), current.dishes.len());
    if c >= 10 && n * 2 < c {
        return Some(format!("{n} dishes where the current menu has {c}"));
    }
    if new.sections.is_empty() && !current.sections.is_empty() {
        return Some("no sections at all".into());
    }
    None
}

/// What identifies a held menu, to tell whether the next answer repeats it.
fn fingerprint(c: &Catalog) -> (String, usize, usize, usize) {
    (
        c.version.clone(),
        c.dishes.len(),
        c.combos.len(),
        c.sections.len(),
    )
}

/// Cheap "has the menu changed?" for a POS that can answer it (Jupiter: `checkUpdate`).
#[async_trait]
pub trait MenuProbe: Send + Sync {
    /// `Ok(true)` when the POS's menu is still `version` (a catalog version it gave earlier).
    async fn unchanged(&self, version: &str) -> Result<bool, PosError>;
}

/// How often the menu may be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Between two background refreshes.
    pub every: Duration,
    /// No two fetches are closer than this, whoever asks.
    pub min_gap: Duration,
    /// With no menu at all, the first retry after a failure; it doubles up to `every`.
    pub first_retry: Duration,
}

impl RefreshPolicy {
    /// ProCart: its `getmenu` is slow and cached server side for a minute.
    pub const PROCART_MIN_GAP: Duration = Duration::from_secs(60);
    /// Jupiter's `checkUpdate` is a tiny request; a full `getTT` follows only on a change.
    pub const JUPITER_MIN_GAP: Duration = Duration::from_secs(10);

    /// The policy for a POS kind ([`Pos::kind`]) and the configured period, which is raised to
    /// the kind's minimum; an unknown kind gets ProCart's, the careful one.
    pub fn for_pos(kind: &str, every: Duration) -> RefreshPolicy {
        let min_gap = match kind {
            "jupiter" => Self::JUPITER_MIN_GAP,
            _ => Self::PROCART_MIN_GAP,
        };
        RefreshPolicy {
            every: every.max(min_gap),
            min_gap,
            first_retry: Duration::from_secs(5).min(min_gap),
        }
    }

    /// The wait before retrying after `failures` failures in a row with no menu to show.
    fn retry_after(&self, failures: u32) -> Duration {
        let doubled = self
            .first_retry
            .saturating_mul(1 << failures.saturating_sub(1).min(16));
        doubled.min(self.every)
    }
}

/// Bookkeeping of fetches, under the lock that serialises them.
#[derive(Default)]
struct Book {
    last_attempt: Option<Instant>,
    /// The outcome of the last attempt (`None`: it updated or confirmed the menu).
    last_error: Option<String>,
    failures: u32,
    held: Option<(String, usize, usize, usize)>,
}

#[derive(Default)]
struct Notes {
    source: Option<MenuSource>,
    last_attempt_at: Option<u64>,
    last_error: Option<String>,
    snapshot_rejected: Option<String>,
    held: Option<String>,
}

pub struct MenuService {
    pos: Arc<dyn Pos>,
    snapshot: Option<PathBuf>,
    policy: std::sync::Mutex<RefreshPolicy>,
    probe: Option<Arc<dyn MenuProbe>>,
    current: RwLock<Option<MenuState>>,
    version_tx: watch::Sender<String>,
    /// Serialises fetches; callers that waited on it share the outcome of the one that ran.
    book: Mutex<Book>,
    /// Bumped after every attempt, so a waiter knows one finished while it waited.
    attempts: AtomicU64,
    notes: std::sync::Mutex<Notes>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl MenuService {
    /// Loads the snapshot at once (if any); the refresh policy follows the POS's kind.
    pub fn new(pos: Arc<dyn Pos>, snapshot: Option<PathBuf>) -> MenuService {
        let (version_tx, _) = watch::channel(String::new());
        let policy = RefreshPolicy::for_pos(pos.kind(), Duration::ZERO);
        let svc = MenuService {
            pos,
            snapshot,
            policy: std::sync::Mutex::new(policy),
            probe: None,
            current: RwLock::new(None),
            version_tx,
            book: Mutex::new(Book::default()),
            attempts: AtomicU64::new(0),
            notes: std::sync::Mutex::new(Notes::default()),
        };
        if let Some(path) = &svc.snapshot {
            svc.load_snapshot(path);
        }
        svc
    }

    /// Asks `probe` before each fetch whether the menu changed.
    pub fn with_probe(mut self, probe: Arc<dyn MenuProbe>) -> MenuService {
        self.probe = Some(probe);
        self
    }

    fn load_snapshot(&self, path: &Path) {
        match snapshot::load(path) {
            Ok(Some(s)) => {
                let state = MenuState {
                    catalog: Arc::new(s.catalog),
                    fetched_at: s.fetched_at,
                    confirmed_at: s.fetched_at,
                };
                tracing::info!(version = %state.catalog.version, age_s = state.age_s(), dishes = state.catalog.dishes.len(), "menu loaded from snapshot");
                self.version_tx.send_replace(state.catalog.version.clone());
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(state);
                lock(&self.notes).source = Some(MenuSource::Snapshot);
            }
            Ok(None) => {}
            Err(reason) => {
                // Set aside rather than deleted: the installer can look at it, and it is not
                // read (and logged) again at every start.
                let aside = path.with_extension("rejected");
                let _ = std::fs::rename(path, &aside);
                tracing::warn!(path = %path.display(), moved_to = %aside.display(), %reason, "menu snapshot rejected; the menu will be fetched afresh");
                lock(&self.notes).snapshot_rejected = Some(reason.to_string());
            }
        }
    }

    /// The menu now, if there is one.
    pub fn current(&self) -> Option<MenuState> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The menu, fetching it first if the kiosk has none yet.
    pub async fn get(&self) -> Result<MenuState, MenuError> {
        if let Some(m) = self.current() {
            return Ok(m);
        }
        self.refresh().await
    }

    /// Changes to the menu version, for the UI's "menu updated" event.
    pub fn subscribe(&self) -> watch::Receiver<String> {
        self.version_tx.subscribe()
    }

    pub fn policy(&self) -> RefreshPolicy {
        *lock(&self.policy)
    }

    /// Everything the service screen shows about the menu.
    pub fn status(&self) -> MenuStatus {
        let cur = self.current();
        let notes = lock(&self.notes);
        let every = self.policy().every;
        MenuStatus {
            version: cur.as_ref().map(|m| m.catalog.version.clone()),
            source: notes.source,
            fetched_at: cur.as_ref().map(|m| m.fetched_at),
            confirmed_at: cur.as_ref().map(|m| m.confirmed_at),
            age_s: cur.as_ref().map(MenuState::age_s),
            stale: cur
                .as_ref()
                .is_some_and(|m| m.age_s() > 3 * every.as_secs()),
            last_attempt_at: notes.last_attempt_at,
            last_error: notes.last_error.clone(),
            snapshot_rejected: notes.snapshot_rejected.clone(),
            held: notes.held.clone(),
        }
    }

    /// Fetches the menu from the POS and, if it is usable, makes it current and saves it.
    ///
    /// Within the policy's minimum gap after the last fetch (or, with no menu at all, within
    /// the retry backoff after a failure) nothing is fetched: the outcome of that fetch is
    /// returned. Callers that waited for a running refresh get its outcome too.
    pub async fn refresh(&self) -> Result<MenuState, MenuError> {
        let seen = self.attempts.load(Ordering::Acquire);
        let mut book = self.book.lock().await;
        if self.attempts.load(Ordering::Acquire) != seen {
            return self.outcome(&book);
        }
        if let Some(at) = book.last_attempt {
            let policy = self.policy();
            let gap = match (self.current(), &book.last_error) {
                (None, Some(_)) => policy.retry_after(book.failures),
                _ => policy.min_gap,
            };
            if at.elapsed() < gap {
                return self.outcome(&book);
            }
        }
        let result = self.fetch(&mut book).await;
        book.last_attempt = Some(Instant::now());
        match &result {
            Ok(_) => {
                book.last_error = None;
                book.failures = 0;
            }
            Err(e) => {
                book.last_error = Some(e.to_string());
                book.failures = book.failures.saturating_add(1);
            }
        }
        {
            let mut notes = lock(&self.notes);
            notes.last_attempt_at = Some(unix_now());
            notes.last_error = book.last_error.clone();
        }
        self.attempts.fetch_add(1, Ordering::AcqRel);
        result
    }

    /// The outcome of the last attempt, for callers that do not fetch themselves.
    fn outcome(&self, book: &Book) -> Result<MenuState, MenuError> {
        match (&book.last_error, self.current()) {
            (None, Some(m)) => Ok(m),
            (Some(e), _) => Err(MenuError::Earlier(e.clone())),
            (None, None) => Err(MenuError::Earlier("no menu yet".into())),
        }
    }

    async fn fetch(&self, book: &mut Book) -> Result<MenuState, MenuError> {
        let current = self.current();
        if let (Some(probe), Some(cur)) = (&self.probe, &current) {
            if probe.unchanged(&cur.catalog.version).await? {
                return Ok(self.confirm(cur));
            }
        }
        let catalog = self.pos.menu().await?;
        check_usable(&catalog)?;
        if let Some(cur) = &current {
            if cur.catalog.version == catalog.version && *cur.catalog == catalog {
                book.held = None;
                lock(&self.notes).held = None;
                return Ok(self.confirm(cur));
            }
            if let Some(why) = looks_partial(&catalog, &cur.catalog) {
                let fp = fingerprint(&catalog);
                if book.held.as_ref() != Some(&fp) {
                    tracing::warn!(reason = %why, "the POS menu looks partial; holding it until the next refresh confirms it");
                    book.held = Some(fp);
                    lock(&self.notes).held = Some(why.clone());
                    return Err(MenuError::Held(why));
                }
                tracing::info!(reason = %why, "the POS confirmed its smaller menu; using it");
            }
        }
        book.held = None;
        lock(&self.notes).held = None;
        for f in &catalog.faults {
            tracing::debug!(kind = ?f.kind, subject = %f.subject, "menu fault: {}", f.message);
        }
        let now = unix_now();
        let state = MenuState {
            catalog: Arc::new(catalog),
            fetched_at: now,
            confirmed_at: now,
        };
        if let Some(path) = self.snapshot.clone() {
            let catalog = state.catalog.clone();
            let saved =
                tokio::task::spawn_blocking(move || snapshot::save(&path, &catalog, now)).await;
            match saved {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "menu snapshot not saved"),
                Err(e) => tracing::warn!(error = %e, "menu snapshot not saved"),
            }
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(state.clone());
        lock(&self.notes).source = Some(MenuSource::Pos);
        tracing::info!(version = %state.catalog.version, dishes = state.catalog.dishes.len(), faults = state.catalog.faults.len(), "menu updated");
        self.version_tx.send_replace(state.catalog.version.clone());
        Ok(state)
    }

    /// The POS says `menu` (the current one) is still its menu.
    fn confirm(&self, menu: &MenuState) -> MenuState {
        let mut cur = self.current.write().unwrap_or_else(|p| p.into_inner());
        let m = cur.get_or_insert_with(|| menu.clone());
        m.confirmed_at = unix_now();
        m.clone()
    }

    /// How long to wait before the first background refresh: a menu the POS gave less than a
    /// period ago (a restart) is not fetched again until the period is over.
    fn first_wait(&self, every: Duration) -> Duration {
        match self.current() {
            Some(m) => every.saturating_sub(Duration::from_secs(m.age_s())),
            None => Duration::ZERO,
        }
    }

    /// Refreshes forever: every `every` (raised to the POS kind's minimum), sooner while the
    /// kiosk has no menu at all. Failures keep the last good menu and are logged.
    pub async fn run_refresher(self: Arc<Self>, every: Duration) {
        let policy = RefreshPolicy::for_pos(self.pos.kind(), every);
        *lock(&self.policy) = policy;
        let mut wait = self.first_wait(policy.every);
        let mut failures = 0u32;
        loop {
            tokio::time::sleep(wait).await;
            match self.refresh().await {
                Ok(_) => failures = 0,
                Err(e) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(error = %e, "menu refresh failed; keeping the last good menu");
                }
            }
            wait = if self.current().is_some() || failures == 0 {
                policy.every
            } else {
                policy.retry_after(failures)
            };
        }
    }
}

/// Writes to a temp file, fsyncs it, renames it over the old one and fsyncs the folder, so a
/// crash leaves either the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests;
