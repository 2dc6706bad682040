//! The simulated printer's state and the handle that drives it.
//!
//! One mutex over plain data: every connection and the admin API touch it for microseconds, and
//! a `watch` counter wakes whoever waits for bytes or slips (tests poll on it with a deadline
//! instead of sleeping).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::interp::{self, Document};
use crate::png::{self, Fonts, RenderError};
use crate::text;

/// What the printer is going through, as its status replies tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(clap::ValueEnum)]
pub enum Mode {
    #[default]
    Ready,
    /// The roll's near-end sensor is on; the printer still prints.
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    /// An autocutter error (the printer stops until it is cleared).
    Error,
    /// The printer accepts connections and bytes but never answers a status request.
    Offline,
}

impl Mode {
    /// The reply to `DLE EOT n`, `None` for requests a printer does not answer (and for every
    /// request when offline).
    pub fn reply(self, n: u8) -> Option<u8> {
        // Bits 1 and 4 are always set in a reply; the rest are flags.
        const BASE: u8 = 0x12;
        let stopped = matches!(self, Mode::PaperOut | Mode::CoverOpen | Mode::Error);
        match (self, n) {
            (Mode::Offline, _) => None,
            (_, 1) => Some(if stopped { BASE | 0x08 } else { BASE }),
            (_, 2) => Some(match self {
                Mode::CoverOpen => BASE | 0x04,
                Mode::PaperOut => BASE | 0x20,
                Mode::Error => BASE | 0x40,
                _ => BASE,
            }),
            (_, 3) => Some(if self == Mode::Error {
                BASE | 0x08
            } else {
                BASE
            }),
            (_, 4) => Some(match self {
                // An empty roll trips both sensors.
                Mode::PaperOut => BASE | 0x0C | 0x60,
                Mode::PaperNearEnd => BASE | 0x0C,
                _ => BASE,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub mode: Mode,
    /// Added before every status reply: a slow printer.
    pub reply_delay: Duration,
    /// Close (reset) each connection once it has received this many bytes.
    pub drop_after: Option<usize>,
    pub received: Vec<u8>,
    pub connections: u64,
    pub status_queries: u64,
    /// Slips already written to the PNG directory.
    pub slips_written: usize,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    pub width_dots: u32,
}

impl Shared {
    pub fn new(width_dots: u32, mode: Mode, reply_delay: Duration) -> Arc<Shared> {
        let (changed, _) = watch::channel(0);
        Arc::new(Shared {
            state: Mutex::new(State {
                mode,
                reply_delay,
                ..State::default()
            }),
            changed,
            width_dots,
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn touch(&self) {
        self.changed.send_modify(|n| *n += 1);
    }
}

/// A snapshot for the admin API and logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimState {
    pub mode: Mode,
    pub reply_delay_ms: u64,
    pub drop_after: Option<usize>,
    pub received_bytes: usize,
    pub slips: usize,
    pub connections: u64,
    pub status_queries: u64,
    pub width_dots: u32,
}

/// Drives the simulated printer from Rust: faults in, recorded bytes and pictures out.
#[derive(Clone)]
pub struct SimControl {
    pub(crate) shared: Arc<Shared>,
}

impl SimControl {
    pub fn set_mode(&self, mode: Mode) {
        self.shared.lock().mode = mode;
        self.shared.touch();
    }

    pub fn mode(&self) -> Mode {
        self.shared.lock().mode
    }

    /// Every status reply waits this long: `Duration::ZERO` for a prompt printer.
    pub fn set_reply_delay(&self, d: Duration) {
        self.shared.lock().reply_delay = d;
        self.shared.touch();
    }

    /// Each connection is reset once it has received `n` bytes (status requests included);
    /// `None` to stop.
    pub fn set_drop_after(&self, n: Option<usize>) {
        self.shared.lock().drop_after = n;
        self.shared.touch();
    }

    /// Every byte received so far, from every connection, in order.
    pub fn received(&self) -> Vec<u8> {
        self.shared.lock().received.clone()
    }

    /// Forgets what was received (the fault settings stay).
    pub fn clear(&self) {
        let mut s = self.shared.lock();
        s.received.clear();
        s.connections = 0;
        s.status_queries = 0;
        s.slips_written = 0;
        drop(s);
        self.shared.touch();
    }

    pub fn state(&self) -> SimState {
        let s = self.shared.lock();
        let slips = interp::interpret(&s.received, self.shared.width_dots)
            .cuts
            .len();
        SimState {
            mode: s.mode,
            reply_delay_ms: s.reply_delay.as_millis() as u64,
            drop_after: s.drop_after,
            received_bytes: s.received.len(),
            slips,
            connections: s.connections,
            status_queries: s.status_queries,
            width_dots: self.shared.width_dots,
        }
    }

    pub fn connections(&self) -> u64 {
        self.shared.lock().connections
    }

    pub fn status_queries(&self) -> u64 {
        self.shared.lock().status_queries
    }

    pub fn width_dots(&self) -> u32 {
        self.shared.width_dots
    }

    /// The received stream, interpreted.
    pub fn document(&self) -> Document {
        interp::interpret(&self.received(), self.shared.width_dots)
    }

    /// Each complete slip (up to and including its cut) received so far.
    pub fn slips(&self) -> Vec<Vec<u8>> {
        interp::split_slips(&self.received(), self.shared.width_dots)
    }

    /// A slip as text; `None` when there is no such slip.
    pub fn slip_text(&self, index: usize) -> Option<String> {
        let slip = self.slips().into_iter().nth(index)?;
        Some(text::to_text(&interp::interpret(
            &slip,
            self.shared.width_dots,
        )))
    }

    /// A slip as PNG; `Ok(None)` when there is no such slip.
    pub fn slip_png(&self, index: usize, fonts: &Fonts) -> Result<Option<Vec<u8>>, RenderError> {
        let Some(slip) = self.slips().into_iter().nth(index) else {
            return Ok(None);
        };
        png::render_png(&interp::interpret(&slip, self.shared.width_dots), fonts).map(Some)
    }

    /// Waits until `cond` holds for the state or `timeout` passes; true when it held.
    async fn wait(&self, timeout: Duration, cond: impl Fn(&State) -> bool) -> bool {
        let mut rx = self.shared.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if cond(&self.shared.lock()) {
                return true;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return cond(&self.shared.lock()),
            }
        }
    }

    /// Waits for at least `n` complete slips.
    pub async fn wait_for_slips(&self, n: usize, timeout: Duration) -> bool {
        let width = self.shared.width_dots;
        self.wait(timeout, |s| {
            interp::interpret(&s.received, width).cuts.len() >= n
        })
        .await
    }

    /// Waits until at least `n` bytes were received.
    pub async fn wait_for_bytes(&self, n: usize, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.received.len() >= n).await
    }

    /// Waits until at least `n` connections were accepted.
    pub async fn wait_for_connections(&self, n: u64, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.connections >= n).await
    }
}
