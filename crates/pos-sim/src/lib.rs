//! POS simulators for the kiosk: a ProCart (r_keeper) gateway and a payment provider, served as
//! a real HTTP server on one listener.
//!
//! Product code talks to the simulator exactly as to a real gateway: the kiosk's demo mode, the
//! integration tests and the end-to-end tests all use it. Like mini-redis, the server is a
//! library function, [`run`]`(listener, config, shutdown)`; the `pos-sim` binary only parses
//! flags, and tests call [`spawn`], which binds `127.0.0.1:0` and hands back a [`SimServer`]
//! with the address and a [`SimControl`] to drive the simulated POS from Rust (statuses,
//! remains, prices, faults, payment outcomes) without going through HTTP.
//!
//! Everything lives on one listener:
//! * `/api/v3/...` — ProCart (reference `procart-api.md` §3–§7), see [`procart`]; or
//!   `/jpos/index.php` — Jupiter's JPOS (reference `jupiter-jpos.md`), see [`jupiter`];
//! * `/paysim/v1/...` — the payment provider, see [`payment`];
//! * `/images/...` — procedurally drawn dish pictures, see [`images`];
//! * `/_sim/...` — admin endpoints for tests and demos: the common ones in [`admin`], the
//!   POS's own in `procart::admin` or [`jupiter::admin`].
//!
//! The choice of POS is made in one place, `router`. Both serve the same demo restaurant by
//! default ([`SimConfig::default`]): the ProCart fixture, or that fixture as a Jupiter menu.

pub mod admin;
pub mod callbacks;
pub mod clock;
pub mod error;
pub mod faults;
pub mod fixture;
pub mod generated;
pub mod images;
pub mod jupiter;
pub mod menu;
pub mod money;
pub mod net;
pub mod payment;
pub mod procart;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

pub use faults::{Fault, FaultKind};
pub use fixture::{FixtureError, MenuFixture};
pub use generated::generated_menu;
pub use payment::{PaymentOutcomeMode, PaymentRecordView};
pub use procart::orders::{OrderAction, Status as OrderStatus};
pub use state::{CallbackRecord, OrderSnapshot, SimControl, SimError};

/// The vendor's public demo token (reference §2).
pub const DEMO_TOKEN: &str = "28bb0d65-d1a3-447d-a3eb-e4961b0ffd35";

/// Which POS the simulator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PosKind {
    #[default]
    Procart,
    Jupiter,
}

/// What `/postorder` does with an order whose payments cover the total (§5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaidOrderBehaviour {
    /// The order is closed at once (status `close`).
    Close,
    /// The prepayment is recorded and the order stays `open`, then goes through the lifecycle.
    #[default]
    KeepOpen,
}

/// How `/validate` reports a cart that cannot be ordered (§5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorMode {
    /// 400 with the error envelope.
    #[default]
    Http400,
    /// 200 with `{"valid": false, "errors": [...]}`.
    ValidFalse,
}

/// What `/internal/print_info` answers by default (§5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintInfoFormat {
    #[default]
    Text,
    Json,
}

/// ProCart behaviour switches; all of them can be changed while the server runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcartSettings {
    /// The token allow-list (§3).
    pub tokens: Vec<String>,
    pub procart_version: String,
    pub rk_version: String,
    pub licence_expires_at: Option<String>,
    /// Added to every `/getmenu` (the real one takes 0.5–2 s).
    pub getmenu_latency_ms: u64,
    /// Instead of the fixed latency, a uniform 500–2000 ms per call, as the docs describe.
    pub getmenu_latency_realistic: bool,
    /// A repeated `external_id` from the same token returns the first order (§5.4).
    pub idempotency: bool,
    pub paid_order_behaviour: PaidOrderBehaviour,
    pub error_mode: ErrorMode,
    /// Statuses pushed to `callback_url` (§6.12): by default `bill`, `close`, `deleted`.
    pub push_statuses: Vec<String>,
    /// Waits between callback attempts; attempts = min(max_attempts, waits + 1).
    pub callback_backoff_ms: Vec<u64>,
    pub callback_max_attempts: u32,
    pub callback_timeout_ms: u64,
    pub print_info_requires_token: bool,
    pub print_info_format: PrintInfoFormat,
    /// Only sum (open) markups may be requested (§6.9).
    pub strict_markups: bool,
    /// `order_number` of the first order.
    pub first_order_number: u64,
}

impl Default for ProcartSettings {
    fn default() -> Self {
        ProcartSettings {
            tokens: vec![DEMO_TOKEN.to_string()],
            procart_version: "1.9.1.64".into(),
            rk_version: "7.25.02.123".into(),
            licence_expires_at: Some("2027-12-31T00:00:00".into()),
            getmenu_latency_ms: 0,
            getmenu_latency_realistic: false,
            idempotency: true,
            paid_order_behaviour: PaidOrderBehaviour::KeepOpen,
            error_mode: ErrorMode::Http400,
            push_statuses: vec!["bill".into(), "close".into(), "deleted".into()],
            callback_backoff_ms: vec![1_000, 5_000, 30_000, 120_000, 600_000],
            callback_max_attempts: 5,
            callback_timeout_ms: 5_000,
            print_info_requires_token: false,
            print_info_format: PrintInfoFormat::Text,
            strict_markups: false,
            first_order_number: 101,
        }
    }
}

/// The ProCart simulator: the restaurant (menu fixture) and the behaviour switches.
#[derive(Debug, Clone)]
pub struct ProcartSimConfig {
    pub menu: MenuFixture,
    pub settings: ProcartSettings,
}

impl Default for ProcartSimConfig {
    fn default() -> Self {
        ProcartSimConfig {
            menu: MenuFixture::demo(),
            settings: ProcartSettings::default(),
        }
    }
}

/// The simulated payment provider's behaviour.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentSimConfig {
    pub outcome: PaymentOutcomeMode,
    /// Before answering (a customer tapping the card); the attempt is `pending` meanwhile.
    pub delay_ms: u64,
    /// For `timeout`: how long the answer is held.
    pub hang_ms: u64,
}

impl Default for PaymentSimConfig {
    fn default() -> Self {
        PaymentSimConfig {
            outcome: PaymentOutcomeMode::Approve,
            delay_ms: 0,
            hang_ms: 60_000,
        }
    }
}

/// Everything the simulator needs to start.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub pos: PosKind,
    pub procart: ProcartSimConfig,
    pub payment: PaymentSimConfig,
    pub jupiter: jupiter::JupiterSimConfig,
}

impl Default for SimConfig {
    /// The demo restaurant on either POS: ProCart's demo fixture, or the same café as a Jupiter
    /// menu with pictures ([`jupiter::JupiterSimConfig::demo`]).
    fn default() -> Self {
        SimConfig {
            pos: PosKind::default(),
            procart: ProcartSimConfig::default(),
            payment: PaymentSimConfig::default(),
            jupiter: jupiter::JupiterSimConfig::demo(),
        }
    }
}

/// Builds the application for the configured POS. This is the one place that dispatches on
/// [`PosKind`]: each POS brings its protocol, its admin routes and its way of naming pictures;
/// the payment simulator and the common admin routes (faults, payment terminal) are shared.
fn router(config: &SimConfig, sim: &Arc<state::Sim>) -> Router {
    let pos = match config.pos {
        PosKind::Procart => procart::routes().merge(images::routes()),
        PosKind::Jupiter => jupiter::routes(config.jupiter.clone()),
    };
    pos.merge(payment::routes())
        .merge(admin::routes())
        .with_state(sim.clone())
}

/// Serves the simulator on `listener` until `shutdown` completes.
///
/// On shutdown, requests held by faults or payment delays are released at once, and
/// connections get a short grace period to finish before the function returns.
pub async fn run(
    listener: TcpListener,
    config: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let sim = state::Sim::new(&listener, config.clone(), stop_rx)?;
    serve(listener, config, sim, stop_tx, shutdown).await
}

async fn serve(
    listener: TcpListener,
    config: SimConfig,
    sim: Arc<state::Sim>,
    stop_tx: watch::Sender<bool>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let kind = config.pos;
    let app = router(&config, &sim);
    let addr = listener.local_addr()?;
    tracing::info!(%addr, pos = ?kind, "pos-sim listening");
    let stop_tx = Arc::new(stop_tx);
    let signal = stop_tx.clone();
    tokio::spawn(async move {
        shutdown.await;
        let _ = signal.send(true);
    });
    let mut stopping = stop_tx.subscribe();
    let mut graceful = stop_tx.subscribe();
    let server = axum::serve(
        net::SimListener::new(listener),
        app.into_make_service_with_connect_info::<net::ConnHandle>(),
    )
    .with_graceful_shutdown(async move {
        let _ = graceful.wait_for(|s| *s).await;
    });
    tokio::select! {
        r = server => r,
        _ = async {
            let _ = stopping.wait_for(|s| *s).await;
            // Keep-alive connections of clients that never close them must not hold us up.
            tokio::time::sleep(Duration::from_secs(2)).await;
        } => Ok(()),
    }?;
    tracing::info!("pos-sim stopped");
    Ok(())
}

/// A simulator running in a background task.
pub struct SimServer {
    pub addr: SocketAddr,
    control: SimControl,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl SimServer {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The handle that drives the simulated POS from Rust.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// Stops the server and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!("pos-sim stopped with an error: {e}"),
                Err(e) => tracing::warn!("pos-sim task failed: {e}"),
            }
        }
    }
}

impl std::ops::Deref for SimServer {
    type Target = SimControl;

    fn deref(&self) -> &SimControl {
        &self.control
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `127.0.0.1:0` and runs the simulator in a tokio task.
pub async fn spawn(config: SimConfig) -> std::io::Result<SimServer> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let sim = state::Sim::new(&listener, config.clone(), stop_rx)?;
    let control = SimControl::new(sim.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, config, sim, stop_tx, async move {
        let _ = rx.await;
    }));
    Ok(SimServer {
        addr,
        control,
        stop: Some(tx),
        task: Some(task),
    })
}
