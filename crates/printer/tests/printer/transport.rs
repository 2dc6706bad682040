//! Device-file connections: a serial port (a pseudo-terminal standing in for the printer's
//! cable, with the baud rate set through termios) and a USB printer file (a plain file, written
//! without status, as a write-only set-up would be).

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::io::FromRawFd;
use std::path::PathBuf;

use kiosk_core::cart::OrderType;
use printer::{Connection, PaperWidth, Printer, PrinterError, PrinterSettings};

use super::fixtures;

/// A pseudo-terminal: the master end (the "printer") and the slave's path (the "port").
fn pty() -> (File, PathBuf) {
    // SAFETY: plain libc calls on a descriptor we own; ptsname_r writes into our buffer.
    unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(fd >= 0, "posix_openpt: {}", std::io::Error::last_os_error());
        assert_eq!(libc::grantpt(fd), 0);
        assert_eq!(libc::unlockpt(fd), 0);
        let mut buf = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(fd, buf.as_mut_ptr(), buf.len()), 0);
        let path = std::ffi::CStr::from_ptr(buf.as_ptr())
            .to_string_lossy()
            .into_owned();
        (File::from_raw_fd(fd), PathBuf::from(path))
    }
}

/// Plays a ready printer on the master end: answers every `DLE EOT n` with 0x12 and returns
/// everything received once the port is closed.
fn play_printer(mut master: File) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        let mut state = 0;
        // Reading the master fails (EIO) once the slave side is closed: the job is over.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            for &b in &buf[..n] {
                got.push(b);
                state = match (state, b) {
                    (2, _) => {
                        master.write_all(&[0x12]).unwrap();
                        0
                    }
                    (1, 0x04) => 2,
                    (_, 0x10) => 1,
                    _ => 0,
                };
            }
        }
        got
    })
}

#[tokio::test]
async fn a_serial_printer_at_19200_baud_prints_the_slip() {
    let (master, port) = pty();
    let printer_side = play_printer(master);
    let mut s = fixtures::settings();
    s.paper = PaperWidth::Mm58;
    s.connection = Connection::Serial {
        path: port.clone(),
        baud: Some(19200),
        rtscts: false,
        status: true,
    };
    let p = Printer::new(s);
    let slip = fixtures::slip(OrderType::Takeaway);
    p.print(&slip).await.unwrap();
    let job = p.render(&slip);
    drop(p);
    let got = printer_side.join().unwrap();
    // The job went through byte for byte: raw mode, no newline translation.
    assert!(got.windows(job.len()).any(|w| w == job.as_slice()));
    let text = fixtures::text_of(&got, PaperWidth::Mm58);
    assert!(text.contains("С СОБОЙ"), "{text}");
}

#[tokio::test]
async fn an_unsupported_baud_rate_is_a_settings_error() {
    let (_master, port) = pty();
    let mut s = PrinterSettings::network("unused");
    s.connection = Connection::Serial {
        path: port,
        baud: Some(12345),
        rtscts: false,
        status: true,
    };
    let err = Printer::new(s).status().await.unwrap_err();
    assert!(matches!(err, PrinterError::Config(_)), "{err:?}");
}

#[tokio::test]
async fn a_usb_printer_file_without_status_gets_the_job_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    std::fs::write(&path, b"").unwrap();
    let mut s = fixtures::settings();
    s.connection = Connection::Usb {
        path: path.clone(),
        status: false,
    };
    let p = Printer::new(s);
    assert!(matches!(
        p.status().await,
        Err(PrinterError::StatusUnsupported)
    ));
    assert_eq!(p.gate().await, printer::PaymentGate::Print);
    let slip = fixtures::slip(OrderType::EatIn);
    p.print(&slip).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), p.render(&slip));
}

#[tokio::test]
async fn a_device_that_never_answers_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    std::fs::write(&path, b"").unwrap();
    let mut s = PrinterSettings::network("unused");
    s.connection = Connection::Usb { path, status: true };
    s.status_timeout_ms = 200;
    let err = Printer::new(s).status().await.unwrap_err();
    assert!(matches!(err, PrinterError::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn a_missing_device_is_unreachable() {
    let mut s = PrinterSettings::network("unused");
    s.connection = Connection::Usb {
        path: "/nonexistent/usb/lp0".into(),
        status: true,
    };
    let err = Printer::new(s).status().await.unwrap_err();
    assert!(matches!(err, PrinterError::Unreachable { .. }), "{err:?}");
}
