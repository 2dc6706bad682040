//! Sberbank UPOS card terminal through the `sb_pilot` command line.
//!
//! `sb_pilot` is the bank's program: it drives the pinpad, talks to the bank and leaves its
//! answer in files in its *current working directory* (`e`: the result, `p`: the slip; see
//! [`efile`] for their assumed layout). Its exit code is reported to be 0 whatever happened, so
//! it is never read; the `e` file is the truth, with the `return:N` line of its standard output
//! as a fallback when no `e` was written.
//!
//! Why one directory per operation (`<work_dir>/<attempt_id>/<sale|cancel|refund-N>/`): the
//! terminal has no idempotency and no status query, so the directory *is* the record. It is
//! created (with a `kiosk-op.json` marker, fsynced) before `sb_pilot` starts. After a crash,
//! [`SbPilotProvider::status`] reads what is there:
//! - no directory: the operation never started (`NotFound`);
//! - an `e` file: its result, whatever happened to the kiosk meanwhile;
//! - a directory without a readable `e` (the kiosk or sb_pilot died, sb_pilot hung and was
//!   killed, or wrote garbage): the outcome is **unknown** (`Pending`). Such an operation is
//!   never run again automatically; it is for staff to check on the terminal's control tape.
//!
//! One operation runs on the pinpad at a time (a mutex). The lines sb_pilot prints while it
//! runs ("ПРИЛОЖИТЕ КАРТУ", ...) go to the customer's screen as `PaymentProgress::Prompt`:
//! the ones [`efile::prompt_key`] recognises as keys the UI translates, the others as written.
//!
//! Commands (reference §3.1, [C]): `1 <kopecks>` sale, `8 <kopecks>` cancel (void) of the
//! sale, `3 <kopecks> <card type> QSELECT <reference>` refund, `26` health check. The card type
//! argument of the refund (`0`, "any") is assumed. sb_pilot's own files (`pinpad.ini`,
//! `upnixmn.out`, the `ttyS99` link to the pinpad) are linked into each operation's directory
//! from `install_dir`, since it looks for them in its working directory.

pub mod efile;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use encoding_rs::Encoding;
use kiosk_core::payment::{
    PaymentOutcome, PaymentProgress, PaymentReceipt, PaymentRequest, RefundOutcome,
};
use kiosk_core::ports::{PaymentError, PaymentProvider, ProgressSink};
use kiosk_core::Money;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncBufReadExt;

use efile::ResultFile;

/// The marker written before sb_pilot starts.
const MARKER_FILE: &str = "kiosk-op.json";
/// sb_pilot's standard output, kept so that `status` can read `return:N` after a crash.
const STDOUT_FILE: &str = "kiosk-stdout";
const STDERR_FILE: &str = "kiosk-stderr";

/// Settings of the card terminal (no secrets: the terminal holds its own keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SbPilotConfig {
    /// The `sb_pilot` executable.
    pub binary: PathBuf,
    /// sb_pilot's own folder (`pinpad.ini`, `upnixmn.out`, `ttyS99`); default: the binary's.
    #[serde(default)]
    pub install_dir: Option<PathBuf>,
    /// Where each operation gets its own folder. Keep it: it is the record of every charge.
    /// Empty in a settings file means "the kiosk's data folder" (the engine fills it in).
    #[serde(default)]
    pub work_dir: PathBuf,
    /// Files of `install_dir` linked (copied on Windows) into each operation's folder.
    #[serde(default = "default_support_files")]
    pub support_files: Vec<String>,
    /// Extra environment for sb_pilot (e.g. `LD_LIBRARY_PATH` for the i386 build).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// sb_pilot is killed after this long; the outcome is then unknown.
    #[serde(default = "default_timeout_s")]
    pub timeout_s: u64,
    /// Encoding of `e`, `p` and the standard output (`koi8-r` on Linux).
    #[serde(default = "default_encoding")]
    pub encoding: String,
    /// The card-type argument of a refund (assumed `0`: any card).
    #[serde(default = "default_card_type")]
    pub refund_card_type: String,
}

fn default_support_files() -> Vec<String> {
    ["pinpad.ini", "upnixmn.out", "ttyS99"]
        .map(String::from)
        .to_vec()
}
fn default_timeout_s() -> u64 {
    180
}
fn default_encoding() -> String {
    "koi8-r".into()
}
fn default_card_type() -> String {
    "0".into()
}

impl SbPilotConfig {
    /// The defaults for a binary and a work folder.
    pub fn new(binary: impl Into<PathBuf>, work_dir: impl Into<PathBuf>) -> SbPilotConfig {
        SbPilotConfig {
            binary: binary.into(),
            install_dir: None,
            work_dir: work_dir.into(),
            support_files: default_support_files(),
            env: BTreeMap::new(),
            timeout_s: default_timeout_s(),
            encoding: default_encoding(),
            refund_card_type: default_card_type(),
        }
    }
}

/// What the kiosk wrote before starting an operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Marker {
    op: String,
    attempt_id: String,
    amount: Money,
    args: Vec<String>,
    started_at: String,
}

impl Marker {
    /// Stands in for a marker that cannot be read; `op` is empty so no amount check uses it.
    fn unreadable() -> Marker {
        Marker {
            op: String::new(),
            attempt_id: String::new(),
            amount: Money::ZERO,
            args: vec![],
            started_at: String::new(),
        }
    }
}

/// What an operation's folder says.
#[derive(Debug, Clone)]
enum OpState {
    /// No folder: never started.
    Absent,
    /// Finished with this result.
    Done(Marker, ResultFile),
    /// Started, outcome unknown (running, crashed, killed, garbage).
    Unknown(Marker, String),
}

pub struct SbPilotProvider {
    cfg: SbPilotConfig,
    binary: PathBuf,
    install_dir: PathBuf,
    encoding: &'static Encoding,
    timeout: Duration,
    /// One operation on the pinpad at a time.
    pinpad: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for SbPilotProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SbPilotProvider")
            .field("cfg", &self.cfg)
            .finish()
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> PaymentError {
    PaymentError::Provider(format!("{what} {}: {e}", path.display()))
}

fn now_string() -> String {
    let t = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    t.format(&f).unwrap_or_default()
}

/// Writes a file and flushes it to disk before returning: the marker must survive a power cut.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn sync_dir(path: &Path) {
    // Makes the new folder's entry durable; not supported everywhere, and harmless to skip.
    if let Ok(d) = std::fs::File::open(path) {
        let _ = d.sync_all();
    }
}

impl SbPilotProvider {
    pub fn new(cfg: SbPilotConfig) -> Result<SbPilotProvider, PaymentError> {
        let encoding = Encoding::for_label(cfg.encoding.as_bytes())
            .ok_or_else(|| PaymentError::Config(format!("unknown encoding {:?}", cfg.encoding)))?;
        // sb_pilot runs in another folder: a relative path must not be read from there.
        let absolute = |p: &Path| -> Result<PathBuf, PaymentError> {
            if p.is_absolute() {
                Ok(p.to_path_buf())
            } else {
                std::env::current_dir()
                    .map(|d| d.join(p))
                    .map_err(|e| PaymentError::Config(e.to_string()))
            }
        };
        if cfg.work_dir.as_os_str().is_empty() {
            return Err(PaymentError::Config(
                "the sb_pilot work folder (work_dir) is not set".into(),
            ));
        }
        let binary = absolute(&cfg.binary)?;
        let install_dir = match &cfg.install_dir {
            Some(d) => absolute(d)?,
            None => binary
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
        };
        let work_dir = absolute(&cfg.work_dir)?;
        std::fs::create_dir_all(&work_dir).map_err(|e| {
            PaymentError::Config(format!(
                "cannot create the work folder {}: {e}",
                work_dir.display()
            ))
        })?;
        let mut cfg = cfg;
        cfg.work_dir = work_dir;
        Ok(SbPilotProvider {
            timeout: Duration::from_secs(cfg.timeout_s.max(1)),
            cfg,
            binary,
            install_dir,
            encoding,
            pinpad: tokio::sync::Mutex::new(()),
        })
    }

    /// Overrides `timeout_s` (tests use milliseconds).
    pub fn with_timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    fn op_dir(&self, attempt_id: &str, op: &str) -> PathBuf {
        self.cfg.work_dir.join(attempt_id).join(op)
    }

    /// The slip text of an attempt's sale, to print for the customer.
    pub fn slip(&self, attempt_id: &str) -> Option<String> {
        crate::check_attempt_id(attempt_id).ok()?;
        let bytes = std::fs::read(self.op_dir(attempt_id, "sale").join(efile::SLIP_FILE)).ok()?;
        Some(self.encoding.decode(&bytes).0.into_owned())
    }

    /// Runs `sb_pilot 26` (the health check) in a scratch folder; the terminal's answer.
    pub async fn health(&self) -> Result<String, PaymentError> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let dir = self
            .cfg
            .work_dir
            .join("_health")
            .join(format!("check-{stamp}"));
        let marker = Marker {
            op: "health".into(),
            attempt_id: String::new(),
            amount: Money::ZERO,
            args: vec!["26".into()],
            started_at: now_string(),
        };
        let state = self.run(&dir, marker, None).await?;
        let result = match state {
            OpState::Done(_, r) if r.approved() => Ok(format!("{} {}", r.code, r.text)),
            OpState::Done(_, r) => Err(PaymentError::Unreachable(format!(
                "the terminal answered {}: {}",
                r.code, r.text
            ))),
            OpState::Unknown(_, why) => Err(PaymentError::Unreachable(why)),
            OpState::Absent => Err(PaymentError::Unreachable("sb_pilot did not run".into())),
        };
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    /// Reads what an operation's folder says (no side effects).
    fn read(&self, dir: &Path) -> OpState {
        let marker: Marker = match std::fs::read(dir.join(MARKER_FILE)) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(m) => m,
                Err(e) => {
                    // The folder exists, so sb_pilot may have run: never treat it as absent.
                    return OpState::Unknown(
                        Marker::unreadable(),
                        format!("the operation's marker is unreadable: {e}"),
                    );
                }
            },
            Err(_) if !dir.exists() => return OpState::Absent,
            Err(e) => {
                return OpState::Unknown(
                    Marker::unreadable(),
                    format!("the operation's marker is missing: {e}"),
                )
            }
        };
        match std::fs::read(dir.join(efile::RESULT_FILE)) {
            Ok(bytes) => match ResultFile::parse(&bytes, self.encoding) {
                Ok(r) => OpState::Done(marker, r),
                Err(e) => {
                    OpState::Unknown(marker, format!("sb_pilot wrote an unreadable result: {e}"))
                }
            },
            Err(_) => {
                let stdout = std::fs::read(dir.join(STDOUT_FILE)).unwrap_or_default();
                let stdout = self.encoding.decode(&stdout).0.into_owned();
                match efile::return_code(&stdout) {
                    // "Approved" without the result file: no reference to refund with, and no
                    // proof; staff must look at the terminal.
                    Some(0) => OpState::Unknown(
                        marker,
                        "sb_pilot reported success but wrote no result file".into(),
                    ),
                    Some(code) => OpState::Done(marker, ResultFile::from_code(code)),
                    None => OpState::Unknown(
                        marker,
                        "sb_pilot left no result (it is still running, crashed or was stopped)"
                            .into(),
                    ),
                }
            }
        }
    }

    /// Runs one operation in `dir` unless the folder already exists, in which case it reports
    /// what the folder says: an operation is never repeated automatically.
    async fn run(
        &self,
        dir: &Path,
        marker: Marker,
        progress: Option<&ProgressSink>,
    ) -> Result<OpState, PaymentError> {
        let _pinpad = self.pinpad.lock().await;
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, e))?;
        }
        match std::fs::create_dir(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(self.read(dir)),
            Err(e) => return Err(io_err("cannot create", dir, e)),
        }
        let marker_json = serde_json::to_vec_pretty(&marker)
            .map_err(|e| PaymentError::Provider(e.to_string()))?;
        write_synced(&dir.join(MARKER_FILE), &marker_json)
            .map_err(|e| io_err("cannot write the marker in", dir, e))?;
        if let Some(parent) = dir.parent() {
            sync_dir(parent);
        }
        self.link_support_files(dir)?;

        let stderr = std::fs::File::create(dir.join(STDERR_FILE))
            .map_err(|e| io_err("cannot create a file in", dir, e))?;
        let mut child = match tokio::process::Command::new(&self.binary)
            .args(&marker.args)
            .current_dir(dir)
            .envs(&self.cfg.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                // Nothing ran: removing the folder lets a later call try again.
                let _ = std::fs::remove_dir_all(dir);
                return Err(PaymentError::Config(format!(
                    "cannot start sb_pilot ({}): {e}",
                    self.binary.display()
                )));
            }
        };
        tracing::info!(op = %marker.op, attempt = %marker.attempt_id, amount = %marker.amount, "sb_pilot started");

        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut timed_out = false;
        if let Some(stdout) = child.stdout.take() {
            let mut reader = tokio::io::BufReader::new(stdout);
            let mut log = std::fs::File::create(dir.join(STDOUT_FILE))
                .map_err(|e| io_err("cannot create a file in", dir, e))?;
            let mut line = Vec::new();
            loop {
                line.clear();
                match tokio::time::timeout_at(deadline, reader.read_until(b'\n', &mut line)).await {
                    Err(_) => {
                        timed_out = true;
                        break;
                    }
                    Ok(Ok(0)) | Ok(Err(_)) => break,
                    Ok(Ok(_)) => {
                        use std::io::Write;
                        let _ = log.write_all(&line);
                        let text = self.encoding.decode(&line).0;
                        let text = text.trim();
                        if efile::is_prompt(text) {
                            tracing::info!(op = %marker.op, prompt = %text, "terminal");
                            if let Some(p) = progress {
                                p(PaymentProgress::Prompt {
                                    text: efile::prompt_key(text)
                                        .map(str::to_string)
                                        .unwrap_or_else(|| text.to_string()),
                                });
                            }
                        }
                    }
                }
            }
            let _ = log.sync_all();
        }
        if !timed_out
            && tokio::time::timeout_at(deadline, child.wait())
                .await
                .is_err()
        {
            timed_out = true;
        }
        if timed_out {
            tracing::warn!(op = %marker.op, attempt = %marker.attempt_id, "sb_pilot did not finish in time; stopping it");
            let _ = child.kill().await;
        }
        let state = self.read(dir);
        match &state {
            OpState::Done(_, r) => {
                tracing::info!(op = %marker.op, attempt = %marker.attempt_id, code = %r.code, text = %r.text, "sb_pilot result")
            }
            OpState::Unknown(_, why) => {
                tracing::warn!(op = %marker.op, attempt = %marker.attempt_id, why = %why, "sb_pilot outcome unknown")
            }
            OpState::Absent => {}
        }
        Ok(state)
    }

    fn link_support_files(&self, dir: &Path) -> Result<(), PaymentError> {
        for name in &self.cfg.support_files {
            let from = self.install_dir.join(name);
            if std::fs::symlink_metadata(&from).is_err() {
                continue;
            }
            let to = dir.join(name);
            #[cfg(unix)]
            let linked = std::os::unix::fs::symlink(&from, &to);
            #[cfg(not(unix))]
            let linked = std::fs::copy(&from, &to).map(|_| ());
            linked.map_err(|e| io_err("cannot link sb_pilot's files into", dir, e))?;
        }
        Ok(())
    }

    fn marker(&self, op: &str, attempt_id: &str, amount: Money, args: Vec<String>) -> Marker {
        Marker {
            op: op.into(),
            attempt_id: attempt_id.into(),
            amount,
            args,
            started_at: now_string(),
        }
    }

    fn sale_outcome(&self, attempt_id: &str, state: OpState) -> PaymentOutcome {
        match state {
            OpState::Absent => PaymentOutcome::NotFound,
            OpState::Unknown(..) => PaymentOutcome::Pending,
            OpState::Done(m, r) if r.approved() => {
                let transaction_id = r
                    .line(efile::REFERENCE)
                    .or_else(|| {
                        let receipt = r.line(efile::RECEIPT_NO)?;
                        Some(match r.line(efile::TERMINAL_ID) {
                            Some(t) => format!("{t}-{receipt}"),
                            None => receipt,
                        })
                    })
                    .unwrap_or_else(|| {
                        tracing::warn!(attempt = %attempt_id, "approved without a reference number");
                        attempt_id.to_string()
                    });
                PaymentOutcome::Approved {
                    receipt: PaymentReceipt {
                        provider: "sbpilot".into(),
                        attempt_id: attempt_id.into(),
                        transaction_id,
                        auth_code: r.line(efile::AUTH_CODE),
                        card_mask: r.line(efile::CARD_MASK),
                        amount: m.amount,
                        paid_at: r.paid_at().unwrap_or_else(now_string),
                    },
                }
            }
            OpState::Done(_, r) if r.customer_cancelled() => PaymentOutcome::Cancelled,
            OpState::Done(_, r) => PaymentOutcome::Declined {
                reason: if r.text.is_empty() {
                    format!("code {}", r.code)
                } else {
                    format!("{} (code {})", r.text, r.code)
                },
            },
        }
    }

    fn voided(&self, attempt_id: &str) -> bool {
        matches!(self.read(&self.op_dir(attempt_id, "cancel")), OpState::Done(_, r) if r.approved())
    }

    /// The sum of the attempt's approved refunds.
    fn refunded(&self, attempt_id: &str) -> Money {
        let Ok(entries) = std::fs::read_dir(self.cfg.work_dir.join(attempt_id)) else {
            return Money::ZERO;
        };
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("refund-"))
            .filter_map(|e| match self.read(&e.path()) {
                OpState::Done(m, r) if r.approved() => Some(m.amount),
                _ => None,
            })
            .sum()
    }

    fn sale_state(&self, attempt_id: &str) -> OpState {
        self.read(&self.op_dir(attempt_id, "sale"))
    }
}

#[async_trait]
impl PaymentProvider for SbPilotProvider {
    fn name(&self) -> &'static str {
        "sbpilot"
    }

    async fn start(
        &self,
        req: &PaymentRequest,
        progress: ProgressSink,
    ) -> Result<PaymentOutcome, PaymentError> {
        crate::check_attempt_id(&req.attempt_id)?;
        let kopecks = req
            .amount
            .to_minor()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        progress(PaymentProgress::Started { amount: req.amount });
        let dir = self.op_dir(&req.attempt_id, "sale");
        let marker = self.marker(
            "sale",
            &req.attempt_id,
            req.amount,
            vec!["1".into(), kopecks.to_string()],
        );
        let state = self.run(&dir, marker, Some(&progress)).await?;
        if let OpState::Done(m, _) | OpState::Unknown(m, _) = &state {
            if m.amount != req.amount && !m.op.is_empty() {
                return Err(PaymentError::Provider(format!(
                    "attempt {} was started for {}, not {}",
                    req.attempt_id, m.amount, req.amount
                )));
            }
        }
        progress(PaymentProgress::Processing);
        Ok(self.sale_outcome(&req.attempt_id, state))
    }

    /// The sale's outcome; a sale voided or refunded in full is no longer a charge
    /// (`Cancelled`), as with the other providers.
    async fn status(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        crate::check_attempt_id(attempt_id)?;
        let sale = self.sale_outcome(attempt_id, self.sale_state(attempt_id));
        if let PaymentOutcome::Approved { receipt } = &sale {
            if self.voided(attempt_id) || self.refunded(attempt_id) >= receipt.amount {
                return Ok(PaymentOutcome::Cancelled);
            }
        }
        Ok(sale)
    }

    /// Voids an approved sale (`sb_pilot 8`). A sale whose outcome is unknown is left alone
    /// (`Pending`): voiding blindly could hit another transaction of the same amount.
    async fn cancel(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        crate::check_attempt_id(attempt_id)?;
        let sale = self.sale_outcome(attempt_id, self.sale_state(attempt_id));
        let PaymentOutcome::Approved { receipt } = &sale else {
            return Ok(match sale {
                PaymentOutcome::Declined { .. } => PaymentOutcome::Cancelled,
                other => other,
            });
        };
        let kopecks = receipt
            .amount
            .to_minor()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        let marker = self.marker(
            "cancel",
            attempt_id,
            receipt.amount,
            vec!["8".into(), kopecks.to_string()],
        );
        let state = self
            .run(&self.op_dir(attempt_id, "cancel"), marker, None)
            .await?;
        Ok(match state {
            OpState::Done(_, r) if r.approved() => PaymentOutcome::Cancelled,
            // The void was refused: the charge stands.
            OpState::Done(_, r) => {
                tracing::warn!(attempt = %attempt_id, code = %r.code, text = %r.text, "void refused");
                sale
            }
            OpState::Unknown(..) | OpState::Absent => PaymentOutcome::Pending,
        })
    }

    /// Refunds with the sale's reference number (`sb_pilot 3 ... QSELECT <ref>`). A refund
    /// whose folder exists is never run again: its `e` file (or its absence) is the answer.
    async fn refund(&self, attempt_id: &str, amount: Money) -> Result<RefundOutcome, PaymentError> {
        crate::check_attempt_id(attempt_id)?;
        let kopecks = amount
            .to_minor()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        let receipt = match self.sale_outcome(attempt_id, self.sale_state(attempt_id)) {
            PaymentOutcome::Approved { receipt } => receipt,
            PaymentOutcome::Pending => {
                return Ok(RefundOutcome::Failed {
                    reason: "the sale's outcome is unknown; check the terminal's control tape"
                        .into(),
                })
            }
            other => {
                return Ok(RefundOutcome::Failed {
                    reason: format!("nothing to refund: the sale is {other:?}"),
                })
            }
        };
        if self.voided(attempt_id) {
            return Ok(RefundOutcome::Refunded {
                reference: format!("{} voided", receipt.transaction_id),
            });
        }
        if amount > receipt.amount {
            return Ok(RefundOutcome::Failed {
                reason: format!("cannot refund {amount} of {}", receipt.amount),
            });
        }
        let marker = self.marker(
            "refund",
            attempt_id,
            amount,
            vec![
                "3".into(),
                kopecks.to_string(),
                self.cfg.refund_card_type.clone(),
                "QSELECT".into(),
                receipt.transaction_id.clone(),
            ],
        );
        let state = self
            .run(
                &self.op_dir(attempt_id, &format!("refund-{kopecks}")),
                marker,
                None,
            )
            .await?;
        Ok(match state {
            OpState::Done(_, r) if r.approved() => RefundOutcome::Refunded {
                reference: r
                    .line(efile::REFERENCE)
                    .unwrap_or_else(|| receipt.transaction_id.clone()),
            },
            OpState::Done(_, r) => RefundOutcome::Failed {
                reason: format!("{} (code {})", r.text, r.code),
            },
            OpState::Unknown(..) | OpState::Absent => RefundOutcome::Pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults() {
        let c: SbPilotConfig =
            serde_json::from_str(r#"{"binary":"/opt/sb/sb_pilot","work_dir":"/var/kiosk/sb"}"#)
                .unwrap();
        assert_eq!(c.timeout_s, 180);
        assert_eq!(c.encoding, "koi8-r");
        assert_eq!(c, SbPilotConfig::new("/opt/sb/sb_pilot", "/var/kiosk/sb"));
    }
}
