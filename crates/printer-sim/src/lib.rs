//! A simulated ESC/POS receipt printer for tests, the demo and the end-to-end run.
//!
//! It is a real TCP server speaking what a network receipt printer speaks on port 9100: it takes
//! the job's bytes and answers the real-time status requests (`DLE EOT n`) with the bytes a
//! printer in the chosen [`Mode`] would send: ready, paper near its end, paper out, cover open,
//! cutter error, or offline (connected but silent). It can also be slow to answer and can reset
//! a connection mid-job. Every byte received is recorded; [`interp`] reads the stream back as a
//! printer would, [`text`] turns it into reviewable text and [`png`] into a picture of the slip.
//!
//! Shaped like `pos-sim` (and mini-redis): the server is [`run`]`(listener, admin, config,
//! shutdown)`, the `printer-sim` binary only parses flags, and tests call [`spawn`], which binds
//! `127.0.0.1:0` and hands back a [`SimServer`] with the address and a [`SimControl`]. The
//! optional second listener serves a small HTTP admin API ([`admin`]) so a separate process (the
//! E2E run) can switch faults and fetch the slip's PNG.

pub mod admin;
pub mod interp;
pub mod png;
mod state;
pub mod text;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};

pub use interp::{interpret, split_slips, Document};
pub use png::{render_png, Fonts, RenderError};
pub use state::{Mode, SimControl, SimState};
pub use text::to_text;

use state::Shared;

/// The simulated printer's paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    Mm58,
    #[default]
    Mm80,
}

impl Paper {
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    pub paper: Paper,
    /// The mode at start.
    pub mode: Mode,
    pub reply_delay: Duration,
    /// When set, each slip is written there as `slip-NNN.png` and `slip-NNN.txt` once its cut
    /// arrives.
    pub png_dir: Option<PathBuf>,
}

/// Serves the printer on `listener` (and the admin API on `admin`) until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    admin: Option<TcpListener>,
    config: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let shared = Shared::new(config.paper.dots(), config.mode, config.reply_delay);
    serve(listener, admin, config, shared, shutdown).await
}

async fn serve(
    listener: TcpListener,
    admin: Option<TcpListener>,
    config: SimConfig,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let pngs = match &config.png_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let fonts = Fonts::load_default().map_err(io::Error::other)?;
            Some(Arc::new(PngWriter {
                dir: dir.clone(),
                fonts: Arc::new(fonts),
                one_at_a_time: tokio::sync::Mutex::new(()),
            }))
        }
        None => None,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let admin_task = match admin {
        Some(l) => {
            let control = SimControl {
                shared: shared.clone(),
            };
            let mut stop = stop_rx.clone();
            tracing::info!(addr = %l.local_addr()?, "printer-sim admin listening");
            Some(tokio::spawn(async move {
                axum::serve(l, admin::routes(control))
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await
            }))
        }
        None => None,
    };
    tracing::info!(addr = %listener.local_addr()?, width = shared.width_dots, "printer-sim listening");
    let mut stop = stop_rx.clone();
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tracing::debug!(%peer, "printer connection");
                    tokio::spawn(connection(shared.clone(), stream, stop_rx.clone(), pngs.clone()));
                }
                Err(e) => {
                    // Out of descriptors and the like: keep serving, but do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    if let Some(t) = admin_task {
        match t.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "admin server stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "admin task failed"),
        }
    }
    tracing::info!("printer-sim stopped");
    Ok(())
}

/// Completes once the stop flag is set (or its sender is gone). The guard `wait_for` returns is
/// dropped here: it is not `Send` and must not live across an await in a spawned task.
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// Finds `DLE EOT n` in a byte stream, across read boundaries. Like a real printer it does not
/// parse the job to find them (real-time commands are acted on as they arrive), which is why
/// the kiosk never sends a status request in the middle of a job.
#[derive(Default)]
struct StatusScanner {
    state: u8,
}

impl StatusScanner {
    fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut found = Vec::new();
        for &b in bytes {
            self.state = match (self.state, b) {
                (2, n) => {
                    found.push(n);
                    0
                }
                (1, 0x04) => 2,
                (_, 0x10) => 1,
                _ => 0,
            };
        }
        found
    }
}

async fn connection(
    shared: Arc<Shared>,
    mut stream: TcpStream,
    mut stop: watch::Receiver<bool>,
    pngs: Option<Arc<PngWriter>>,
) {
    shared.lock().connections += 1;
    shared.touch();
    tokio::select! {
        _ = handle(&shared, &mut stream, pngs.as_deref()) => {}
        _ = stopped(&mut stop) => {}
    }
}

async fn handle(shared: &Arc<Shared>, stream: &mut TcpStream, pngs: Option<&PngWriter>) {
    let mut scanner = StatusScanner::default();
    let mut got = 0usize;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let drop_after = shared.lock().drop_after;
        let (take, drop_now) = match drop_after {
            Some(limit) if got + n >= limit => (limit.saturating_sub(got), true),
            _ => (n, false),
        };
        let chunk = &buf[..take];
        got += take;
        let queries = scanner.feed(chunk);
        {
            let mut s = shared.lock();
            s.received.extend_from_slice(chunk);
            s.status_queries += queries.len() as u64;
        }
        shared.touch();
        if let Some(p) = pngs {
            p.write_new(shared).await;
        }
        if drop_now {
            // A reset rather than a clean close, as when the printer reboots mid-job.
            let _ = stream.set_zero_linger();
            tracing::info!(bytes = got, "dropping the connection (drop_after)");
            return;
        }
        for q in queries {
            let (mode, delay) = {
                let s = shared.lock();
                (s.mode, s.reply_delay)
            };
            let Some(reply) = mode.reply(q) else {
                continue;
            };
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if stream.write_all(&[reply]).await.is_err() {
                return;
            }
        }
    }
}

/// Writes each newly completed slip to the PNG directory.
struct PngWriter {
    dir: PathBuf,
    fonts: Arc<Fonts>,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl PngWriter {
    async fn write_new(&self, shared: &Arc<Shared>) {
        let _one = self.one_at_a_time.lock().await;
        let (received, written) = {
            let s = shared.lock();
            (s.received.clone(), s.slips_written)
        };
        let width = shared.width_dots;
        let slips = split_slips(&received, width);
        if slips.len() <= written {
            return;
        }
        let dir = self.dir.clone();
        let fonts = self.fonts.clone();
        let count = slips.len();
        let result = tokio::task::spawn_blocking(move || -> Result<(), String> {
            for (i, slip) in slips.iter().enumerate().skip(written) {
                let doc = interpret(slip, width);
                let stem = dir.join(format!("slip-{:03}", i + 1));
                let png = render_png(&doc, &fonts).map_err(|e| e.to_string())?;
                // The text first and the picture last, each through a rename, so a reader that
                // sees the PNG finds both complete.
                write_atomic(&stem.with_extension("txt"), to_text(&doc).as_bytes())?;
                write_atomic(&stem.with_extension("png"), &png)?;
            }
            Ok(())
        })
        .await;
        match result {
            Ok(Ok(())) => shared.lock().slips_written = count,
            Ok(Err(e)) => tracing::warn!(error = %e, "could not write the slip picture"),
            Err(e) => tracing::warn!(error = %e, "slip picture task failed"),
        }
    }
}

fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A simulator running in a background task.
pub struct SimServer {
    /// The printer's port.
    pub addr: SocketAddr,
    /// The admin API's port.
    pub admin_addr: SocketAddr,
    control: SimControl,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<io::Result<()>>>,
}

impl SimServer {
    /// `127.0.0.1:PORT`, as the kiosk's printer settings take it.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT` of the admin API.
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }

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
                Ok(Err(e)) => tracing::warn!("printer-sim stopped with an error: {e}"),
                Err(e) => tracing::warn!("printer-sim task failed: {e}"),
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

/// Binds `127.0.0.1:0` for the printer and for the admin API and runs the simulator in a
/// tokio task.
pub async fn spawn(config: SimConfig) -> io::Result<SimServer> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let admin = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let admin_addr = admin.local_addr()?;
    let shared = Shared::new(config.paper.dots(), config.mode, config.reply_delay);
    let control = SimControl {
        shared: shared.clone(),
    };
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, Some(admin), config, shared, async move {
        let _ = rx.await;
    }));
    Ok(SimServer {
        addr,
        admin_addr,
        control,
        stop: Some(tx),
        task: Some(task),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_requests_are_found_across_reads() {
        let mut s = StatusScanner::default();
        assert_eq!(s.feed(&[b'a', 0x10]), Vec::<u8>::new());
        assert_eq!(s.feed(&[0x04]), Vec::<u8>::new());
        assert_eq!(s.feed(&[1, 0x10, 0x04, 4, b'x']), vec![1, 4]);
        assert_eq!(s.feed(&[0x10, 0x10, 0x04, 2]), vec![2]);
    }

    #[test]
    fn replies_carry_the_fixed_bits() {
        for mode in [
            Mode::Ready,
            Mode::PaperNearEnd,
            Mode::PaperOut,
            Mode::CoverOpen,
            Mode::Error,
        ] {
            for n in 1..=4 {
                let b = mode.reply(n).unwrap();
                assert_eq!(b & 0b1001_0011, 0b0001_0010, "{mode:?} n={n}: {b:#04x}");
            }
        }
        assert_eq!(Mode::Offline.reply(1), None);
        assert_eq!(Mode::Ready.reply(9), None);
    }
}
