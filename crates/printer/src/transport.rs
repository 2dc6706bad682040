//! The byte pipes to a printer: a TCP socket (port 9100), a USB printer device file, a serial
//! port. Blocking I/O with a deadline on every read and write.
//!
//! Blocking on purpose: device files have no useful async support in tokio (regular-file
//! semantics, a thread pool behind every call), and one print job is a few kilobytes. The async
//! [`crate::Printer`] runs each whole operation on tokio's blocking pool instead. Deadlines are
//! socket timeouts for TCP and `poll(2)` for device files, so an unplugged or silent printer can
//! never hang a checkout.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::error::PrinterError;
use crate::settings::{Connection, PrinterSettings, DEFAULT_PORT};

/// One open connection to the printer.
pub(crate) trait Link: Send {
    /// Writes all of `data`; `TimedOut` when no progress is possible for `timeout`.
    fn send(&mut self, data: &[u8], timeout: Duration) -> io::Result<()>;
    /// One byte, or `None` when none came within `timeout`.
    fn recv_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>>;
    /// Whether the printer can answer on this connection.
    fn answers_status(&self) -> bool;
}

pub(crate) fn open(s: &PrinterSettings) -> Result<Box<dyn Link>, PrinterError> {
    match &s.connection {
        Connection::Network { address } => {
            Ok(Box::new(Tcp::connect(address, s.connect_timeout())?))
        }
        #[cfg(unix)]
        Connection::Usb { path, status } => Ok(Box::new(device::Device::open(path, *status)?)),
        #[cfg(unix)]
        Connection::Serial {
            path,
            baud,
            rtscts,
            status,
        } => {
            let dev = device::Device::open(path, *status)?;
            if let Some(b) = baud {
                dev.configure_serial(*b, *rtscts)?;
            }
            Ok(Box::new(dev))
        }
        #[cfg(not(unix))]
        Connection::Usb { path, .. } | Connection::Serial { path, .. } => {
            // Elsewhere a device file is written blindly: no status, no baud rate.
            let file = std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(|e| PrinterError::Unreachable {
                    target: path.display().to_string(),
                    source: e,
                })?;
            Ok(Box::new(PlainFile(file)))
        }
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address, with 9100 when no port.
fn with_default_port(address: &str) -> String {
    let a = address.trim();
    if let Some(rest) = a.strip_prefix('[') {
        if rest.contains("]:") {
            a.to_string()
        } else {
            format!("{a}:{DEFAULT_PORT}")
        }
    } else {
        match a.matches(':').count() {
            0 => format!("{a}:{DEFAULT_PORT}"),
            1 => a.to_string(),
            _ => format!("[{a}]:{DEFAULT_PORT}"),
        }
    }
}

struct Tcp(TcpStream);

impl Tcp {
    fn connect(address: &str, timeout: Duration) -> Result<Tcp, PrinterError> {
        let target = with_default_port(address);
        let unreachable = |source| PrinterError::Unreachable {
            target: target.clone(),
            source,
        };
        let addrs: Vec<SocketAddr> = target.to_socket_addrs().map_err(unreachable)?.collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the address resolves to nothing");
        for a in addrs {
            match TcpStream::connect_timeout(&a, timeout) {
                Ok(s) => {
                    // Status requests are three bytes: send them now, not after Nagle's delay.
                    let _ = s.set_nodelay(true);
                    return Ok(Tcp(s));
                }
                Err(e) => last = e,
            }
        }
        Err(unreachable(last))
    }
}

fn at_least_1ms(d: Duration) -> Duration {
    // A zero timeout means "block forever" to the socket API.
    d.max(Duration::from_millis(1))
}

impl Link for Tcp {
    fn send(&mut self, data: &[u8], timeout: Duration) -> io::Result<()> {
        self.0.set_write_timeout(Some(at_least_1ms(timeout)))?;
        self.0.write_all(data).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock => io::Error::new(io::ErrorKind::TimedOut, e),
            _ => e,
        })
    }

    fn recv_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        self.0.set_read_timeout(Some(at_least_1ms(timeout)))?;
        let mut b = [0u8; 1];
        loop {
            return match self.0.read(&mut b) {
                Ok(0) => Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the printer closed the connection",
                )),
                Ok(_) => Ok(Some(b[0])),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    Ok(None)
                }
                Err(e) => Err(e),
            };
        }
    }

    fn answers_status(&self) -> bool {
        true
    }
}

#[cfg(not(unix))]
struct PlainFile(std::fs::File);

#[cfg(not(unix))]
impl Link for PlainFile {
    fn send(&mut self, data: &[u8], _timeout: Duration) -> io::Result<()> {
        self.0.write_all(data)?;
        self.0.flush()
    }
    fn recv_byte(&mut self, _timeout: Duration) -> io::Result<Option<u8>> {
        Ok(None)
    }
    fn answers_status(&self) -> bool {
        false
    }
}

#[cfg(unix)]
mod device {
    //! Device files (usblp, tty) opened non-blocking and waited on with `poll(2)`.

    use std::fs::{File, OpenOptions};
    use std::io::{self, Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;
    use std::time::{Duration, Instant};

    use super::Link;
    use crate::error::PrinterError;

    pub(super) struct Device {
        file: File,
        status: bool,
    }

    /// Waits until `fd` is ready for `events` or `deadline` passes; true when ready.
    fn wait(fd: i32, events: libc::c_short, deadline: Instant) -> io::Result<bool> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            let mut p = libc::pollfd {
                fd,
                events,
                revents: 0,
            };
            let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
            // SAFETY: one valid pollfd for the duration of the call.
            let r = unsafe { libc::poll(&mut p, 1, ms) };
            if r < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if r > 0 {
                return Ok(true);
            }
        }
    }

    impl Device {
        pub(super) fn open(path: &Path, status: bool) -> Result<Device, PrinterError> {
            let file = OpenOptions::new()
                .read(status)
                // Append: harmless on a device, and a plain file (tests, spooling) keeps every job.
                .append(true)
                // Never become the controlling terminal of a serial port; never block in open.
                .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
                .open(path)
                .map_err(|e| PrinterError::Unreachable {
                    target: path.display().to_string(),
                    source: e,
                })?;
            Ok(Device { file, status })
        }

        /// Raw 8N1 at `baud`, no software flow control, RTS/CTS when asked: what receipt
        /// printers' serial interfaces expect.
        pub(super) fn configure_serial(&self, baud: u32, rtscts: bool) -> Result<(), PrinterError> {
            let speed = match baud {
                1200 => libc::B1200,
                2400 => libc::B2400,
                4800 => libc::B4800,
                9600 => libc::B9600,
                19200 => libc::B19200,
                38400 => libc::B38400,
                57600 => libc::B57600,
                115200 => libc::B115200,
                230400 => libc::B230400,
                other => {
                    return Err(PrinterError::Config(format!(
                        "unsupported baud rate {other}"
                    )))
                }
            };
            let fd = self.file.as_raw_fd();
            // SAFETY: termios is plain data filled by tcgetattr on a valid descriptor.
            unsafe {
                let mut t: libc::termios = std::mem::zeroed();
                if libc::tcgetattr(fd, &mut t) != 0 {
                    return Err(PrinterError::Config(format!(
                        "not a serial port: {}",
                        io::Error::last_os_error()
                    )));
                }
                libc::cfmakeraw(&mut t);
                t.c_cflag &= !(libc::CSIZE | libc::CSTOPB | libc::PARENB);
                t.c_cflag |= libc::CS8 | libc::CLOCAL | libc::CREAD;
                if rtscts {
                    t.c_cflag |= libc::CRTSCTS;
                } else {
                    t.c_cflag &= !libc::CRTSCTS;
                }
                t.c_iflag &= !(libc::IXON | libc::IXOFF | libc::IXANY);
                t.c_cc[libc::VMIN] = 0;
                t.c_cc[libc::VTIME] = 0;
                if libc::cfsetispeed(&mut t, speed) != 0
                    || libc::cfsetospeed(&mut t, speed) != 0
                    || libc::tcsetattr(fd, libc::TCSANOW, &t) != 0
                {
                    return Err(PrinterError::Io(io::Error::last_os_error()));
                }
                // Whatever the port held from before (a late status byte) is not an answer to us.
                libc::tcflush(fd, libc::TCIOFLUSH);
            }
            Ok(())
        }
    }

    impl Link for Device {
        fn send(&mut self, data: &[u8], timeout: Duration) -> io::Result<()> {
            let deadline = Instant::now() + timeout;
            let mut off = 0;
            while off < data.len() {
                match self.file.write(&data[off..]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => off += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        if !wait(self.file.as_raw_fd(), libc::POLLOUT, deadline)? {
                            return Err(io::ErrorKind::TimedOut.into());
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        }

        fn recv_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
            let deadline = Instant::now() + timeout;
            let mut b = [0u8; 1];
            loop {
                if !wait(self.file.as_raw_fd(), libc::POLLIN, deadline)? {
                    return Ok(None);
                }
                match self.file.read(&mut b) {
                    Ok(1) => return Ok(Some(b[0])),
                    // usblp and plain files report "nothing yet" as end of file: look again
                    // shortly, until the deadline.
                    Ok(_) => {
                        let left = deadline.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            return Ok(None);
                        }
                        std::thread::sleep(left.min(Duration::from_millis(20)));
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                        ) => {}
                    Err(e) => return Err(e),
                }
            }
        }

        fn answers_status(&self) -> bool {
            self.status
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_port_is_the_default() {
        assert_eq!(with_default_port("10.0.0.5"), "10.0.0.5:9100");
        assert_eq!(
            with_default_port("printer.local:9101"),
            "printer.local:9101"
        );
        assert_eq!(with_default_port("[::1]"), "[::1]:9100");
        assert_eq!(with_default_port("[::1]:9000"), "[::1]:9000");
        assert_eq!(with_default_port("fe80::1"), "[fe80::1]:9100");
    }
}
