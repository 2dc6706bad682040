//! Simulators of the kiosk's payment providers, faithful enough that the product code cannot
//! tell them from the real thing (reference `payments.md` §5, "what the simulators must
//! reproduce, because real sandboxes cannot"):
//!
//! - [`sbpilot`]: the stand-in for Sberbank's `sb_pilot` (the `sb_pilot` binary of this
//!   crate): same command line, `e`/`p` result files in KOI8-R in the working directory,
//!   `return:N` on standard output, exit code 0 whatever happened; scenarios chosen by a file
//!   or an environment variable the tests set (approve, decline, customer cancel, hang, crash
//!   after or before the result, garbage, no pinpad), and a ledger of what was "charged".
//! - [`tbank`]: T-Bank's acquiring API v2 over HTTP (`Init`, `GetQr`, `GetState`,
//!   `CheckOrder`, `Cancel`, `GetQrState`, `SbpPayTest`) with token checks, the SBP status
//!   model (including `ASYNC_REFUNDING`), QR expiry and notifications.
//! - [`yookassa`]: YooKassa's API v3 over HTTP (payments, cancel, refunds) with Basic auth and
//!   the `Idempotence-Key` rules (same key and body: the stored answer; another body: an
//!   error; expiry after 24 h).
//!
//! Like mini-redis (and `pos-sim`), each HTTP simulator is a library function
//! `run(listener, config, shutdown)`; [`tbank::spawn`] and [`yookassa::spawn`] bind
//! `127.0.0.1:0` for tests and hand back a [`SimServer`] with the address and a control
//! handle that drives the simulator from Rust exactly as its `/_sim/...` admin routes do
//! (mark a QR paid, force the next outcome, inject faults, move the clock, list payments,
//! refunds and notifications). The `pay-sim` binary only parses flags.

pub mod clock;
pub mod faults;
pub mod notify;
pub mod sbpilot;
pub mod tbank;
pub mod yookassa;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

pub use faults::{Fault, FaultKind};

/// Locks a mutex, surviving a panic in another handler (the simulator must keep serving).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `tick` every 100 ms until `stopping` turns true (the server stops): the simulators'
/// background chores, such as the demos' automatic payments.
pub(crate) fn every_tick_until_stopped(
    mut stopping: watch::Receiver<bool>,
    mut tick: impl FnMut() + Send + 'static,
) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                _ = stopping.wait_for(|s| *s) => return,
            }
            tick();
        }
    });
}

/// Serves `app` until `shutdown`; then tells held requests to stop (`stop_tx`) and gives
/// connections a short grace period.
pub(crate) async fn serve(
    name: &'static str,
    listener: TcpListener,
    app: Router,
    stop_tx: watch::Sender<bool>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "{name} simulator listening");
    let stop_tx = std::sync::Arc::new(stop_tx);
    let signal = stop_tx.clone();
    tokio::spawn(async move {
        shutdown.await;
        let _ = signal.send(true);
    });
    let mut stopping = stop_tx.subscribe();
    let mut graceful = stop_tx.subscribe();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
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
    tracing::info!("{name} simulator stopped");
    Ok(())
}

/// A simulator running in a background task, with its control handle `C`.
pub struct SimServer<C> {
    pub addr: SocketAddr,
    control: C,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl<C: Clone> SimServer<C> {
    pub(crate) fn new(
        addr: SocketAddr,
        control: C,
        stop: oneshot::Sender<()>,
        task: tokio::task::JoinHandle<std::io::Result<()>>,
    ) -> Self {
        SimServer {
            addr,
            control,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn control(&self) -> C {
        self.control.clone()
    }

    /// Stops the server and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl<C> std::ops::Deref for SimServer<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.control
    }
}

impl<C> Drop for SimServer<C> {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Where the `sb_pilot` stand-in binary is, for tests of other crates: next to the running
/// test executable's `deps` folder (`cargo test --workspace` builds it). When it is missing
/// (`cargo test -p payments` alone), it is built with the cargo that runs the tests.
pub fn sb_pilot_binary() -> std::io::Result<std::path::PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .ok_or_else(|| std::io::Error::other("no target folder"))?;
    let name = format!("sb_pilot{}", std::env::consts::EXE_SUFFIX);
    let path = profile_dir.join(&name);
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "pay-sim", "--bin", "sb_pilot"])
            .status()?;
        if !status.success() || !path.exists() {
            return Err(std::io::Error::other(format!(
                "cannot build the sb_pilot stand-in ({})",
                path.display()
            )));
        }
    }
    Ok(path)
}
