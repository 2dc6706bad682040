//! The menu the kiosk shows: the last good catalog, kept on disk and refreshed in the background.
//!
//! The kiosk starts from the snapshot on disk, so it shows a menu at once even with the POS
//! down. A refresh replaces the menu only when the POS returned a usable one: a failed,
//! malformed or empty answer leaves the last good menu in place. Snapshots are written
//! atomically (temp file, fsync, rename) and carry a schema version; a file that does not read
//! back is ignored with a logged reason and the kiosk fetches afresh.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kiosk_core::catalog::Catalog;
use kiosk_core::ports::Pos;
use kiosk_core::PosError;
use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Mutex};

const SNAPSHOT_SCHEMA: u32 = 1;

#[derive(Debug, Clone)]
pub struct MenuState {
    pub catalog: Arc<Catalog>,
    /// When the POS produced this menu (seconds since the epoch).
    pub fetched_at: u64,
}

impl MenuState {
    pub fn age_s(&self) -> u64 {
        unix_now().saturating_sub(self.fetched_at)
    }
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    schema: u32,
    fetched_at: u64,
    catalog: Catalog,
}

#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error("the menu is not available: {0}")]
    Pos(#[from] PosError),
    #[error("the POS returned an empty menu; keeping the last good one")]
    Empty,
}

pub struct MenuService {
    pos: Arc<dyn Pos>,
    snapshot: Option<PathBuf>,
    current: RwLock<Option<MenuState>>,
    version_tx: watch::Sender<String>,
    /// Serialises refreshes so two callers never fetch the menu at the same time.
    refreshing: Mutex<()>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl MenuService {
    pub fn new(pos: Arc<dyn Pos>, snapshot: Option<PathBuf>) -> MenuService {
        let (version_tx, _) = watch::channel(String::new());
        let svc = MenuService {
            pos,
            snapshot,
            current: RwLock::new(None),
            version_tx,
            refreshing: Mutex::new(()),
        };
        if let Some(path) = &svc.snapshot {
            match load_snapshot(path) {
                Ok(Some(state)) => {
                    tracing::info!(version = %state.catalog.version, age_s = state.age_s(), "menu loaded from snapshot");
                    svc.version_tx.send_replace(state.catalog.version.clone());
                    *svc.current.write().unwrap_or_else(|p| p.into_inner()) = Some(state);
                }
                Ok(None) => {}
                Err(reason) => {
                    tracing::warn!(path = %path.display(), %reason, "menu snapshot ignored")
                }
            }
        }
        svc
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

    /// Fetches the menu from the POS and, if it is usable, makes it current and saves it.
    pub async fn refresh(&self) -> Result<MenuState, MenuError> {
        let _guard = self.refreshing.lock().await;
        let catalog = self.pos.menu().await?;
        if catalog.dishes.is_empty() && catalog.combos.is_empty() {
            return Err(MenuError::Empty);
        }
        for f in &catalog.faults {
            tracing::debug!(kind = ?f.kind, subject = %f.subject, "menu fault: {}", f.message);
        }
        let state = MenuState {
            catalog: Arc::new(catalog),
            fetched_at: unix_now(),
        };
        if let Some(path) = &self.snapshot {
            if let Err(e) = save_snapshot(path, &state) {
                tracing::warn!(path = %path.display(), error = %e, "menu snapshot not saved");
            }
        }
        let changed = self
            .current()
            .map(|c| c.catalog.version != state.catalog.version || c.catalog != state.catalog);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(state.clone());
        if changed != Some(false) {
            self.version_tx.send_replace(state.catalog.version.clone());
        }
        Ok(state)
    }

    /// Refreshes forever at `every`; failures keep the last good menu and are logged.
    pub async fn run_refresher(self: Arc<Self>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "menu refresh failed; keeping the last good menu");
            }
        }
    }
}

fn load_snapshot(path: &Path) -> Result<Option<MenuState>, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let snap: Snapshot = serde_json::from_slice(&bytes).map_err(|e| format!("unreadable: {e}"))?;
    if snap.schema != SNAPSHOT_SCHEMA {
        return Err(format!("schema {} is not {}", snap.schema, SNAPSHOT_SCHEMA));
    }
    if snap.catalog.dishes.is_empty() && snap.catalog.combos.is_empty() {
        return Err("the snapshot holds an empty menu".into());
    }
    Ok(Some(MenuState {
        catalog: Arc::new(snap.catalog),
        fetched_at: snap.fetched_at,
    }))
}

/// Writes to a temp file, fsyncs it, renames it over the old one and fsyncs the folder, so a
/// crash leaves either the old snapshot or the new one, never half of one.
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

fn save_snapshot(path: &Path, state: &MenuState) -> std::io::Result<()> {
    let snap = Snapshot {
        schema: SNAPSHOT_SCHEMA,
        fetched_at: state.fetched_at,
        catalog: (*state.catalog).clone(),
    };
    let bytes = serde_json::to_vec(&snap).map_err(std::io::Error::other)?;
    write_atomically(path, &bytes)
}
