//! The menu cache end to end inside the engine: a kiosk that once saw its POS keeps showing
//! that menu through every kind of bad answer (the fixtures in `tests/fixtures/menus/`, each
//! decoded by the real ProCart decoder, and the simulator's broken answers over real HTTP) and
//! through every kind of bad snapshot file, which is set aside with its reason.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use kiosk_core::cart::Cart;
use kiosk_core::catalog::Catalog;
use kiosk_core::error::ErrorCode;
use kiosk_core::order::{OrderContext, OrderRequest, PosInfo, PosOrder};
use kiosk_core::ports::Pos;
use kiosk_core::pricing::Quote;
use kiosk_core::PosError;
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::MemorySecrets;
use kiosk_engine::{snapshot, KioskConfig};
use pos_sim::{Fault, FaultKind, SimConfig};

/// A POS whose `/getmenu` answer is a fixed body, read by the real ProCart decoder.
struct FixturePos(Vec<u8>);

#[async_trait]
impl Pos for FixturePos {
    fn kind(&self) -> &'static str {
        "procart"
    }
    async fn ping(&self) -> Result<PosInfo, PosError> {
        Err(PosError::Unreachable("fixture".into()))
    }
    async fn menu(&self) -> Result<Catalog, PosError> {
        pos_procart::decode_menu(&self.0)
    }
    async fn price(&self, _: &Catalog, _: &Cart, _: &OrderContext) -> Result<Quote, PosError> {
        Err(PosError::Unreachable("fixture".into()))
    }
    async fn place_order(&self, _: &Catalog, _: &OrderRequest) -> Result<PosOrder, PosError> {
        Err(PosError::Unreachable("fixture".into()))
    }
    async fn find_order(&self, _: &str) -> Result<Option<PosOrder>, PosError> {
        Ok(None)
    }
    async fn orders(&self, _: &[String]) -> Result<Vec<PosOrder>, PosError> {
        Ok(vec![])
    }
}

fn config(url: &str, dir: &Path) -> KioskConfig {
    let mut c = KioskConfig::demo(url, dir.to_path_buf());
    c.payment.provider = "counter".into();
    c.payment.url = None;
    c
}

fn engine_with(pos: Arc<dyn Pos>, dir: &Path) -> Arc<Engine> {
    let c = config("http://127.0.0.1:9", dir);
    let provider = kiosk_engine::pos::build_provider(&c).unwrap();
    Engine::new(c, pos, provider, Timings::default()).unwrap()
}

/// A data folder holding the snapshot of the demo restaurant's menu, as the simulator serves it.
async fn seeded() -> (tempfile::TempDir, Catalog) {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::from_config(
        config(&sim.url(), dir.path()),
        &MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN),
        Timings::default(),
    )
    .unwrap();
    let menu = e.menu_view().await.unwrap().catalog;
    sim.stop().await;
    (dir, menu)
}

fn snapshot_path(dir: &Path) -> PathBuf {
    dir.join("menu-snapshot.json")
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/menus");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    // Huge ones are made here rather than stored.
    out.push((
        "deep-nesting".into(),
        [vec![b'['; 200_000], vec![b']'; 200_000]].concat(),
    ));
    let mut big = b"{\"menu_version\":\"v9\",\"dishes\":[{\"code\":1,\"name\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'x', 16 * 1024 * 1024));
    out.push(("16-MiB-unterminated-string".into(), big));
    out
}

#[tokio::test]
async fn no_bad_answer_ever_replaces_the_last_good_menu() {
    let (dir, good) = seeded().await;
    let saved = std::fs::read(snapshot_path(dir.path())).unwrap();
    let list = fixtures();
    assert!(list.len() >= 16);
    for (name, body) in list {
        // A new kiosk on the same folder, whose POS now gives this answer.
        let e = engine_with(Arc::new(FixturePos(body)), dir.path());
        assert_eq!(e.menu_view().await.unwrap().catalog, good, "{name}");
        let err = e.menu.refresh().await.unwrap_err();
        assert!(!err.to_string().is_empty(), "{name}");
        assert_eq!(e.menu_view().await.unwrap().catalog, good, "{name}");
        assert!(e.menu.status().last_error.is_some(), "{name}");
        assert_eq!(
            std::fs::read(snapshot_path(dir.path())).unwrap(),
            saved,
            "{name}: the snapshot was not touched"
        );
    }
}

#[tokio::test]
async fn with_no_snapshot_a_bad_answer_means_no_menu_rather_than_a_wrong_one() {
    for (name, body) in fixtures() {
        if name == "partial.json" {
            continue; // a small menu is a menu, when there is nothing to compare it with
        }
        let dir = tempfile::tempdir().unwrap();
        let e = engine_with(Arc::new(FixturePos(body)), dir.path());
        let err = e.menu_view().await.unwrap_err();
        assert_eq!(err.code, ErrorCode::MenuUnavailable, "{name}");
        assert!(!snapshot_path(dir.path()).exists(), "{name}");
    }
}

#[tokio::test]
async fn broken_answers_over_http_keep_the_menu() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN);
    let first =
        Engine::from_config(config(&sim.url(), dir.path()), &secrets, Timings::default()).unwrap();
    let good = first.menu_view().await.unwrap().catalog;
    for kind in [
        FaultKind::TruncatedBody,
        FaultKind::MalformedJson,
        FaultKind::HttpError,
    ] {
        sim.control().add_fault(Fault {
            times: Some(10),
            ..Fault::new("getmenu", kind)
        });
        // A new process each time: the one-a-minute rule is per process.
        let e = Engine::from_config(config(&sim.url(), dir.path()), &secrets, Timings::default())
            .unwrap();
        assert!(e.menu.refresh().await.is_err(), "{kind:?}");
        assert_eq!(e.menu_view().await.unwrap().catalog, good, "{kind:?}");
        sim.control().clear_faults();
    }
    sim.stop().await;
}

#[tokio::test]
async fn every_bad_snapshot_is_set_aside_with_its_reason() {
    let (dir, good) = seeded().await;
    let path = snapshot_path(dir.path());
    let saved = std::fs::read(&path).unwrap();
    let nl = saved.iter().position(|b| *b == b'\n').unwrap();
    let mut flipped = saved.clone();
    let at = nl + 1 + (saved.len() - nl) / 2;
    flipped[at] ^= 0x01;
    let legacy = format!(
        "{{\"schema\":1,\"fetched_at\":1,\"catalog\":{}}}",
        serde_json::to_string(&good).unwrap()
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            saved[..saved.len() * 2 / 3].to_vec(),
            "cut off",
        ),
        ("header only", saved[..=nl].to_vec(), "cut off"),
        ("flipped bit", flipped, "checksum"),
        ("older schema", legacy.into_bytes(), "older kiosk"),
        (
            "newer schema",
            String::from_utf8(saved.clone())
                .unwrap()
                .replacen("\"schema\":2", "\"schema\":99", 1)
                .into_bytes(),
            "newer kiosk",
        ),
        (
            "not JSON",
            b"\x00\x01garbage\nmore".to_vec(),
            "not a menu snapshot",
        ),
        ("empty", vec![], "empty"),
        (
            "empty menu",
            snapshot::encode(
                &Catalog {
                    dishes: vec![],
                    combos: vec![],
                    ..good.clone()
                },
                1,
            ),
            "empty",
        ),
        (
            "not a catalog",
            snapshot::encode_body(1, b"{\"dishes\":\"many\"}"),
            "cannot be read",
        ),
    ];
    for (what, bytes, reason) in cases {
        std::fs::write(&path, &bytes).unwrap();
        // The POS is down: the kiosk has no menu rather than a damaged one.
        let e = engine_with(
            Arc::new(FixturePos(b"<html>down</html>".to_vec())),
            dir.path(),
        );
        let why = e.menu.status().snapshot_rejected.unwrap_or_default();
        assert!(why.contains(reason), "{what}: {why}");
        assert!(e.menu_view().await.is_err(), "{what}");
        assert!(!path.exists(), "{what}: moved aside");
        assert_eq!(
            std::fs::read(dir.path().join("menu-snapshot.rejected")).unwrap(),
            bytes,
            "{what}"
        );
    }
    // A huge file is refused before it is read.
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(snapshot::MAX_BYTES + 1).unwrap();
    drop(f);
    let e = engine_with(Arc::new(FixturePos(vec![])), dir.path());
    assert!(e
        .menu
        .status()
        .snapshot_rejected
        .unwrap()
        .contains("more than"));
    // And the good file loads again.
    std::fs::write(&path, &saved).unwrap();
    let e = engine_with(Arc::new(FixturePos(vec![])), dir.path());
    assert_eq!(e.menu_view().await.unwrap().catalog, good);
}

#[tokio::test]
async fn the_kiosk_starts_with_its_menu_and_pictures_while_the_pos_is_down() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN);
    let first =
        Engine::from_config(config(&sim.url(), dir.path()), &secrets, Timings::default()).unwrap();
    let menu = first.menu_view().await.unwrap().catalog;
    let urls: Vec<String> = menu
        .dishes
        .iter()
        .filter_map(|d| d.image_url.clone())
        .collect();
    first.images.clone().prefetch(urls).await;
    assert!(first.images.stats().made as usize >= menu.dishes.len());
    sim.stop().await;

    let e = Engine::from_config(
        config(&sim_url_gone(), dir.path()),
        &secrets,
        Timings::default(),
    )
    .unwrap();
    assert_eq!(e.menu_view().await.unwrap().catalog, menu);
    for d in &menu.dishes {
        for size in ["card", "detail"] {
            let jpeg = e.image("dish", &d.id, size).await.unwrap();
            assert!(jpeg.starts_with(&[0xFF, 0xD8]), "dish {} {size}", d.id);
        }
    }
    let health = e.menu_health().unwrap();
    assert!(!health.stale);
    assert_eq!(e.images.stats().made, 0, "nothing was downloaded");
}

fn sim_url_gone() -> String {
    "http://127.0.0.1:9".into()
}
