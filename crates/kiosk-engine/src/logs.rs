//! The kiosk's logs: structured events (`tracing`) as JSON lines in size-rotated files in the
//! data folder, and as readable text on stderr.
//!
//! - **Rotation by size**, not by day: a kiosk that loops on an error must not fill its disk
//!   before the next midnight. `kiosk.log` grows to [`LogSettings::max_bytes`], then becomes
//!   `kiosk.log.1` (the older ones shift up) and the oldest beyond [`LogSettings::keep`] goes.
//! - **No secrets.** Nothing logs a token, password, key or card data in the first place (the
//!   test `no_secrets_in_logs` runs a whole order with tracing at TRACE and greps every line);
//!   as a second line of defence every secret the kiosk reads is registered with [`redact`] and
//!   replaced by `<redacted>` in anything written, file or stderr.
//! - Files are created owner-only (0600): they hold order details.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;

pub const LOG_FILE: &str = "kiosk.log";
/// Shortest value worth redacting: shorter ones would blank ordinary words and numbers.
const MIN_REDACT: usize = 6;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers a secret value: from now on it is replaced by `<redacted>` in every log line.
pub fn redact(secret: &str) {
    let s = secret.trim();
    if s.len() < MIN_REDACT {
        return;
    }
    let mut list = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    if !list.iter().any(|x| x == s) {
        list.push(s.to_string());
        // Longest first, so a secret that contains another is replaced whole.
        list.sort_by_key(|x| std::cmp::Reverse(x.len()));
    }
}

/// `text` with every registered secret replaced.
pub fn scrub(text: &str) -> String {
    let list = SECRETS.read().unwrap_or_else(|p| p.into_inner());
    let mut out = text.to_string();
    for s in list.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "<redacted>");
        }
    }
    out
}

fn scrub_bytes(buf: &[u8]) -> Vec<u8> {
    let has_any = !SECRETS.read().unwrap_or_else(|p| p.into_inner()).is_empty();
    if !has_any {
        return buf.to_vec();
    }
    match std::str::from_utf8(buf) {
        Ok(text) => scrub(text).into_bytes(),
        Err(_) => scrub(&String::from_utf8_lossy(buf)).into_bytes(),
    }
}

#[derive(Debug, Clone)]
pub struct LogSettings {
    pub dir: PathBuf,
    /// Size at which the current file is rotated.
    pub max_bytes: u64,
    /// Rotated files kept besides the current one.
    pub keep: u32,
    /// `RUST_LOG` syntax; `RUST_LOG` itself wins when set.
    pub filter: String,
    /// Also write readable lines to stderr.
    pub stderr: bool,
}

impl LogSettings {
    pub fn new(dir: impl Into<PathBuf>) -> LogSettings {
        LogSettings {
            dir: dir.into(),
            max_bytes: 5 * 1024 * 1024,
            keep: 5,
            filter: "info,kiosk=debug,kiosk_engine=debug".into(),
            stderr: true,
        }
    }
}

struct FileState {
    dir: PathBuf,
    max_bytes: u64,
    keep: u32,
    file: Option<File>,
    size: u64,
}

/// A log file that rotates by size. Each `write` is one whole event (the formatter writes an
/// event in one call), so rotation never splits a line.
#[derive(Clone)]
pub struct RotatingFile {
    state: Arc<Mutex<FileState>>,
}

fn open_log(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

impl RotatingFile {
    pub fn open(dir: &Path, max_bytes: u64, keep: u32) -> io::Result<RotatingFile> {
        if !dir.exists() {
            std::fs::create_dir_all(dir)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
        }
        let path = dir.join(LOG_FILE);
        let file = open_log(&path)?;
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            state: Arc::new(Mutex::new(FileState {
                dir: dir.to_path_buf(),
                max_bytes: max_bytes.max(1024),
                keep,
                file: Some(file),
                size,
            })),
        })
    }

    fn write_event(&self, buf: &[u8]) -> io::Result<()> {
        let buf = scrub_bytes(buf);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.size > 0 && s.size + buf.len() as u64 > s.max_bytes {
            s.rotate()?;
        }
        if s.file.is_none() {
            let f = open_log(&s.dir.join(LOG_FILE))?;
            s.size = f.metadata()?.len();
            s.file = Some(f);
        }
        if let Some(f) = s.file.as_mut() {
            f.write_all(&buf)?;
        }
        s.size += buf.len() as u64;
        Ok(())
    }
}

impl FileState {
    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let name = |i: u32| self.dir.join(format!("{LOG_FILE}.{i}"));
        let _ = std::fs::remove_file(name(self.keep.max(1)));
        for i in (1..self.keep.max(1)).rev() {
            let _ = std::fs::rename(name(i), name(i + 1));
        }
        if self.keep == 0 {
            std::fs::remove_file(self.dir.join(LOG_FILE))?;
        } else {
            std::fs::rename(self.dir.join(LOG_FILE), name(1))?;
        }
        self.size = 0;
        Ok(())
    }
}

/// The writer one event gets.
pub struct EventWriter(RotatingFile);

impl Write for EventWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_event(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for RotatingFile {
    type Writer = EventWriter;
    fn make_writer(&'a self) -> Self::Writer {
        EventWriter(self.clone())
    }
}

/// stderr, with secrets scrubbed too.
pub struct Stderr;
pub struct StderrWriter;

impl Write for StderrWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::stderr().write_all(&scrub_bytes(buf))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = StderrWriter;
    fn make_writer(&'a self) -> Self::Writer {
        StderrWriter
    }
}

/// Installs the process's logger. Fails when the folder cannot hold the logs; the caller then
/// falls back to stderr alone ([`init_stderr`]) and says so.
pub fn init(settings: &LogSettings) -> io::Result<()> {
    let file = RotatingFile::open(&settings.dir, settings.max_bytes, settings.keep)?;
    let filter =
        || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.filter));
    let json = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(false)
        .with_target(true)
        .with_writer(file)
        .with_filter(filter());
    let stderr = settings.stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(Stderr)
            .with_filter(filter())
    });
    tracing_subscriber::registry()
        .with(json)
        .with(stderr)
        .try_init()
        .map_err(io::Error::other)
}

/// stderr only, for when the data folder is unusable (the reason is then logged).
pub fn init_stderr(filter: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter)),
        )
        .with_writer(Stderr)
        .try_init();
}

/// The log files in `dir`, newest first.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let current = dir.join(LOG_FILE);
    if current.is_file() {
        out.push(current);
    }
    for i in 1..100 {
        let p = dir.join(format!("{LOG_FILE}.{i}"));
        if !p.is_file() {
            break;
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_rotate_by_size_and_keep_a_bounded_number() {
        let dir = tempfile::tempdir().unwrap();
        let f = RotatingFile::open(dir.path(), 1024, 2).unwrap();
        let line = format!("{}\n", "x".repeat(99));
        for _ in 0..40 {
            f.make_writer().write_all(line.as_bytes()).unwrap();
        }
        let names: Vec<String> = files(dir.path())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]);
        for p in files(dir.path()) {
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(text.len() <= 1024, "{}: {}", p.display(), text.len());
            // Whole lines only.
            assert!(text.lines().all(|l| l.len() == 99), "{}", p.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(LOG_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "log files are owner-only: {mode:o}");
        }
    }

    #[test]
    fn registered_secrets_never_reach_a_file() {
        let dir = tempfile::tempdir().unwrap();
        redact("s3cr3t-token-value");
        redact("abc"); // too short to redact safely: ignored
        let f = RotatingFile::open(dir.path(), 1 << 20, 1).unwrap();
        f.make_writer()
            .write_all(b"{\"msg\":\"sent s3cr3t-token-value to abc\"}\n")
            .unwrap();
        let text = std::fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
        assert_eq!(text, "{\"msg\":\"sent <redacted> to abc\"}\n");
        assert_eq!(scrub("x s3cr3t-token-value y"), "x <redacted> y");
    }
}
