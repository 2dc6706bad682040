//! The menu service against a scripted POS: snapshots, the refresh policy (on paused tokio
//! time), the last-good rule, held partial menus and the probe.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex as StdMutex;

use kiosk_core::cart::Cart;
use kiosk_core::catalog::CatalogFault;
use kiosk_core::order::{OrderContext, OrderRequest, PosInfo, PosOrder};
use kiosk_core::pricing::Quote;
use tokio::sync::Notify;

use super::*;
use crate::snapshot::tests::catalog;

/// A POS whose `menu` answers come from a script; the last answer repeats.
struct ScriptedPos {
    kind: &'static str,
    answers: StdMutex<VecDeque<Result<Catalog, PosError>>>,
    calls: AtomicUsize,
    /// When set, `menu` waits for it (to hold a fetch open).
    gate: Option<Arc<Notify>>,
}

impl ScriptedPos {
    fn new(kind: &'static str, answers: Vec<Result<Catalog, PosError>>) -> Arc<ScriptedPos> {
        Arc::new(ScriptedPos {
            kind,
            answers: StdMutex::new(answers.into()),
            calls: AtomicUsize::new(0),
            gate: None,
        })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

fn down() -> Result<Catalog, PosError> {
    Err(PosError::Unreachable("connection refused".into()))
}

#[async_trait]
impl Pos for ScriptedPos {
    fn kind(&self) -> &'static str {
        self.kind
    }
    async fn ping(&self) -> Result<PosInfo, PosError> {
        Err(PosError::Unreachable("not in this test".into()))
    }
    async fn menu(&self) -> Result<Catalog, PosError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(g) = &self.gate {
            g.notified().await;
        }
        let mut a = self.answers.lock().unwrap();
        if a.len() > 1 {
            a.pop_front().unwrap()
        } else {
            a.front().cloned().unwrap_or_else(down)
        }
    }
    async fn price(&self, _: &Catalog, _: &Cart, _: &OrderContext) -> Result<Quote, PosError> {
        Err(PosError::Unreachable("not in this test".into()))
    }
    async fn place_order(&self, _: &Catalog, _: &OrderRequest) -> Result<PosOrder, PosError> {
        Err(PosError::Unreachable("not in this test".into()))
    }
    async fn find_order(&self, _: &str) -> Result<Option<PosOrder>, PosError> {
        Ok(None)
    }
    async fn orders(&self, _: &[String]) -> Result<Vec<PosOrder>, PosError> {
        Ok(vec![])
    }
}

fn versioned(n: usize, version: &str) -> Catalog {
    let mut c = catalog(n);
    c.version = version.into();
    c
}

fn snapshot_dir(c: &Catalog, fetched_at: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("menu-snapshot.json");
    snapshot::save(&path, c, fetched_at).unwrap();
    (dir, path)
}

#[tokio::test]
async fn starts_from_the_snapshot_without_asking_the_pos() {
    let good = versioned(40, "v1");
    let (_dir, path) = snapshot_dir(&good, unix_now() - 30);
    let pos = ScriptedPos::new("procart", vec![down()]);
    let svc = MenuService::new(pos.clone(), Some(path));
    let m = svc.get().await.unwrap();
    assert_eq!(*m.catalog, good);
    assert_eq!(pos.calls(), 0, "the POS was not asked");
    let st = svc.status();
    assert_eq!(st.source, Some(MenuSource::Snapshot));
    assert!(st.age_s.unwrap() >= 30 && !st.stale);
}

#[tokio::test]
async fn a_bad_snapshot_is_set_aside_with_its_reason_and_the_menu_fetched_afresh() {
    let (dir, path) = snapshot_dir(&versioned(40, "v1"), 1);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&path, &bytes).unwrap();
    let pos = ScriptedPos::new("procart", vec![Ok(versioned(40, "v2"))]);
    let svc = MenuService::new(pos.clone(), Some(path.clone()));
    assert!(svc.current().is_none());
    let reason = svc.status().snapshot_rejected.unwrap();
    assert!(reason.contains("cut off"), "{reason}");
    assert!(dir.path().join("menu-snapshot.rejected").exists());
    assert_eq!(svc.get().await.unwrap().catalog.version, "v2");
    assert_eq!(pos.calls(), 1);
    // The fresh menu replaced the bad file.
    assert_eq!(
        snapshot::load(&path).unwrap().unwrap().catalog.version,
        "v2"
    );
}

#[tokio::test(start_paused = true)]
async fn nothing_bad_ever_replaces_the_last_good_menu() {
    let good = versioned(40, "v1");
    let (_dir, path) = snapshot_dir(&good, 1);
    let mut unreadable = versioned(3, "v-bad");
    for i in 0..5 {
        unreadable.faults.push(CatalogFault::new(
            FaultKind::Malformed,
            format!("dish #{i}"),
            "left out, it cannot be read: invalid type",
        ));
    }
    let pos = ScriptedPos::new(
        "procart",
        vec![
            down(),
            Err(PosError::Malformed("the answer is cut off".into())),
            Err(PosError::Timeout {
                operation: "getmenu".into(),
            }),
            Ok(versioned(0, "v-empty")),
            Ok(unreadable),
        ],
    );
    let svc = MenuService::new(pos.clone(), Some(path.clone()));
    for want in [
        "cannot be reached",
        "cut off",
        "in time",
        "empty",
        "mostly unreadable",
    ] {
        let err = svc.refresh().await.unwrap_err().to_string();
        assert!(err.contains(want), "{want}: {err}");
        assert_eq!(*svc.current().unwrap().catalog, good);
        assert_eq!(svc.status().last_error.as_deref(), Some(err.as_str()));
        tokio::time::advance(RefreshPolicy::PROCART_MIN_GAP).await;
    }
    assert_eq!(pos.calls(), 5);
    assert_eq!(snapshot::load(&path).unwrap().unwrap().catalog, good);
}

#[tokio::test(start_paused = true)]
async fn a_partial_menu_is_held_until_the_next_refresh_confirms_it() {
    let (_dir, path) = snapshot_dir(&versioned(40, "v1"), 1);
    let pos = ScriptedPos::new(
        "procart",
        vec![
            Ok(versioned(5, "v2")),  // a glitch…
            Ok(versioned(41, "v3")), // …gone at the next refresh
            Ok(versioned(5, "v4")),  // a real change…
            Ok(versioned(5, "v4")),  // …repeated
        ],
    );
    let svc = MenuService::new(pos.clone(), Some(path));
    let err = svc.refresh().await.unwrap_err();
    assert!(matches!(err, MenuError::Held(_)), "{err}");
    assert!(svc.status().held.unwrap().contains("5 dishes"));
    assert_eq!(svc.current().unwrap().catalog.version, "v1");
    tokio::time::advance(RefreshPolicy::PROCART_MIN_GAP).await;
    assert_eq!(svc.refresh().await.unwrap().catalog.version, "v3");
    assert_eq!(svc.status().held, None);
    tokio::time::advance(RefreshPolicy::PROCART_MIN_GAP).await;
    assert!(matches!(svc.refresh().await, Err(MenuError::Held(_))));
    tokio::time::advance(RefreshPolicy::PROCART_MIN_GAP).await;
    assert_eq!(svc.refresh().await.unwrap().catalog.dishes.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn procart_is_never_fetched_twice_within_a_minute() {
    let pos = ScriptedPos::new("procart", vec![Ok(versioned(40, "v1"))]);
    let svc = MenuService::new(pos.clone(), None);
    svc.refresh().await.unwrap();
    for _ in 0..5 {
        svc.refresh().await.unwrap();
        tokio::time::advance(Duration::from_secs(10)).await;
    }
    assert_eq!(pos.calls(), 1, "fifty seconds, one fetch");
    tokio::time::advance(Duration::from_secs(10)).await;
    svc.refresh().await.unwrap();
    assert_eq!(pos.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn callers_during_a_fetch_share_it() {
    let gate = Arc::new(Notify::new());
    let pos = Arc::new(ScriptedPos {
        kind: "procart",
        answers: StdMutex::new(vec![Ok(versioned(40, "v1"))].into()),
        calls: AtomicUsize::new(0),
        gate: Some(gate.clone()),
    });
    let svc = Arc::new(MenuService::new(pos.clone(), None));
    let mut waiters = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let s = svc.clone();
        waiters.spawn(async move { s.get().await.map(|m| m.catalog.version.clone()) });
    }
    // Let every waiter reach the lock, then let the one fetch finish.
    while pos.calls() == 0 {
        tokio::task::yield_now().await;
    }
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    gate.notify_one();
    while let Some(r) = waiters.join_next().await {
        assert_eq!(r.unwrap().unwrap(), "v1");
    }
    assert_eq!(pos.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn with_no_menu_at_all_failures_are_retried_on_a_short_backoff() {
    let pos = ScriptedPos::new("procart", vec![down(), down(), Ok(versioned(40, "v1"))]);
    let svc = MenuService::new(pos.clone(), None);
    assert!(svc.get().await.is_err());
    // Within the backoff the UI's retries do not reach the POS.
    assert!(matches!(svc.get().await, Err(MenuError::Earlier(_))));
    assert_eq!(pos.calls(), 1);
    tokio::time::advance(Duration::from_secs(5)).await;
    assert!(svc.get().await.is_err());
    assert_eq!(pos.calls(), 2);
    tokio::time::advance(Duration::from_secs(5)).await;
    assert!(svc.get().await.is_err(), "the backoff doubled to 10 s");
    assert_eq!(pos.calls(), 2);
    tokio::time::advance(Duration::from_secs(5)).await;
    assert_eq!(svc.get().await.unwrap().catalog.version, "v1");
    assert_eq!(pos.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_background_refresh_keeps_procart_to_once_a_minute_whatever_the_setting() {
    let pos = ScriptedPos::new("procart", vec![Ok(versioned(40, "v1"))]);
    let svc = Arc::new(MenuService::new(pos.clone(), None));
    tokio::spawn(svc.clone().run_refresher(Duration::from_secs(5)));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(pos.calls(), 1, "with no menu, the first refresh is at once");
    tokio::time::sleep(Duration::from_secs(58)).await;
    assert_eq!(pos.calls(), 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(pos.calls(), 2);
    assert_eq!(svc.policy().every, Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn a_fresh_snapshot_delays_the_first_refresh() {
    let (_dir, path) = snapshot_dir(&versioned(40, "v1"), unix_now() - 20);
    let pos = ScriptedPos::new("procart", vec![Ok(versioned(40, "v1"))]);
    let svc = Arc::new(MenuService::new(pos.clone(), Some(path)));
    tokio::spawn(svc.clone().run_refresher(Duration::from_secs(60)));
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        pos.calls(),
        0,
        "a restart does not refetch a 20-second-old menu"
    );
    tokio::time::sleep(Duration::from_secs(15)).await;
    assert_eq!(pos.calls(), 1);
}

#[tokio::test]
async fn an_unchanged_menu_is_confirmed_without_an_event_or_a_write() {
    let good = versioned(40, "v1");
    let (_dir, path) = snapshot_dir(&good, unix_now() - 600);
    let before = std::fs::read(&path).unwrap();
    let pos = ScriptedPos::new("procart", vec![Ok(good.clone())]);
    let svc = MenuService::new(pos.clone(), Some(path.clone()));
    let mut events = svc.subscribe();
    events.mark_unchanged();
    assert!(svc.status().age_s.unwrap() >= 600);
    let m = svc.refresh().await.unwrap();
    assert!(m.age_s() < 5, "confirmed just now");
    assert!(!events.has_changed().unwrap());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(svc.status().source, Some(MenuSource::Snapshot));
}

struct Probe {
    unchanged: bool,
    asked: StdMutex<Vec<String>>,
}

#[async_trait]
impl MenuProbe for Probe {
    async fn unchanged(&self, version: &str) -> Result<bool, PosError> {
        self.asked.lock().unwrap().push(version.to_string());
        Ok(self.unchanged)
    }
}

#[tokio::test(start_paused = true)]
async fn a_probe_saves_the_full_fetch_when_nothing_changed() {
    let (_dir, path) = snapshot_dir(&versioned(40, "2025-11-20 10:00:00"), 1);
    let probe = Arc::new(Probe {
        unchanged: true,
        asked: StdMutex::new(vec![]),
    });
    let pos = ScriptedPos::new("jupiter", vec![Ok(versioned(40, "later"))]);
    let svc = MenuService::new(pos.clone(), Some(path.clone())).with_probe(probe.clone());
    svc.refresh().await.unwrap();
    assert_eq!(pos.calls(), 0);
    assert_eq!(*probe.asked.lock().unwrap(), vec!["2025-11-20 10:00:00"]);
    assert!(svc.current().unwrap().age_s() < 5);
    let changed = MenuService::new(pos.clone(), Some(path)).with_probe(Arc::new(Probe {
        unchanged: false,
        asked: StdMutex::new(vec![]),
    }));
    assert_eq!(changed.refresh().await.unwrap().catalog.version, "later");
    assert_eq!(pos.calls(), 1);
}

#[tokio::test]
async fn a_menu_unconfirmed_for_three_periods_is_stale() {
    let (_dir, path) = snapshot_dir(&versioned(40, "v1"), unix_now() - 181);
    let svc = MenuService::new(ScriptedPos::new("procart", vec![down()]), Some(path));
    assert!(svc.status().stale);
    assert!(svc.refresh().await.is_err());
    let st = svc.status();
    assert!(st.stale && st.last_error.is_some() && st.last_attempt_at.is_some());
}
