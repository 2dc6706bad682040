//! `DLE EOT` replies to [`PrinterStatus`]: every flag on its own, the fixed bits, and which
//! problem wins when several are reported.

use printer::{HardwareError, PaperState, PrinterError, PrinterStatus, RawStatus};

const OK: u8 = 0x12;

fn raw(printer: u8, offline_cause: u8, error_cause: u8, paper: u8) -> RawStatus {
    RawStatus {
        printer,
        offline_cause,
        error_cause,
        paper,
    }
}

#[test]
fn a_quiet_printer_is_ready() {
    assert_eq!(raw(OK, OK, OK, OK).parse().unwrap(), PrinterStatus::READY);
    // The drawer pin (n=1 bit 2) and the feed button (n=2 bit 3) are not faults.
    assert_eq!(
        raw(OK | 0x04, OK | 0x08, OK, OK).parse().unwrap(),
        PrinterStatus::READY
    );
}

#[test]
fn each_flag_means_what_the_spec_says() {
    let cases: [(RawStatus, PrinterStatus); 10] = [
        (
            raw(OK | 0x08, OK, OK, OK),
            PrinterStatus {
                online: false,
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK | 0x04, OK, OK),
            PrinterStatus {
                cover_open: true,
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK | 0x20, OK, OK),
            PrinterStatus {
                paper: PaperState::Out,
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK | 0x40, OK, OK),
            PrinterStatus {
                error: Some(HardwareError::Unspecified),
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK, OK | 0x04, OK),
            PrinterStatus {
                error: Some(HardwareError::Mechanical),
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK, OK | 0x08, OK),
            PrinterStatus {
                error: Some(HardwareError::Autocutter),
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK, OK | 0x20, OK),
            PrinterStatus {
                error: Some(HardwareError::Unrecoverable),
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK, OK | 0x40, OK),
            PrinterStatus {
                error: Some(HardwareError::AutoRecoverable),
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK, OK, OK | 0x0C),
            PrinterStatus {
                paper: PaperState::NearEnd,
                ..PrinterStatus::READY
            },
        ),
        (
            raw(OK, OK, OK, OK | 0x60),
            PrinterStatus {
                paper: PaperState::Out,
                ..PrinterStatus::READY
            },
        ),
    ];
    for (r, want) in cases {
        assert_eq!(r.parse().unwrap(), want, "{r:?}");
    }
}

/// The paper sensor byte, all 16 combinations of its four flag bits: a sensor counts only when
/// both of its bits are set, and "out" beats "near end".
#[test]
fn every_paper_sensor_pattern() {
    for flags in 0u8..16 {
        let b = OK
            | if flags & 1 != 0 { 0x04 } else { 0 }
            | if flags & 2 != 0 { 0x08 } else { 0 }
            | if flags & 4 != 0 { 0x20 } else { 0 }
            | if flags & 8 != 0 { 0x40 } else { 0 };
        let near = b & 0x0C == 0x0C;
        let out = b & 0x60 == 0x60;
        let want = if out {
            PaperState::Out
        } else if near {
            PaperState::NearEnd
        } else {
            PaperState::Ok
        };
        assert_eq!(raw(OK, OK, OK, b).parse().unwrap().paper, want, "{b:#04x}");
    }
}

#[test]
fn bytes_without_the_fixed_bits_are_refused() {
    for bad in [0x00, 0xFF, 0x10, 0x02, 0x13, 0x92, b'A'] {
        for pos in 0..4 {
            let mut b = [OK; 4];
            b[pos] = bad;
            let r = raw(b[0], b[1], b[2], b[3]).parse();
            assert!(
                matches!(r, Err(PrinterError::BadReply(x)) if x == bad),
                "{bad:#04x} at {pos}: {r:?}"
            );
        }
    }
}

#[test]
fn the_reason_staff_can_act_on_comes_first() {
    // A printer out of paper also reports offline and may have its cover open too.
    let all = raw(OK | 0x08, OK | 0x24, OK, OK | 0x6C).parse().unwrap();
    assert!(matches!(all.ready(), Err(PrinterError::PaperOut)));
    let cover = raw(OK | 0x08, OK | 0x04, OK | 0x08, OK).parse().unwrap();
    assert!(matches!(cover.ready(), Err(PrinterError::CoverOpen)));
    let cutter = raw(OK | 0x08, OK | 0x40, OK | 0x08, OK).parse().unwrap();
    assert!(matches!(
        cutter.ready(),
        Err(PrinterError::Hardware(HardwareError::Autocutter))
    ));
    let offline = raw(OK | 0x08, OK, OK, OK).parse().unwrap();
    assert!(matches!(offline.ready(), Err(PrinterError::Offline)));
    let near_end = raw(OK, OK, OK, OK | 0x0C).parse().unwrap();
    assert!(near_end.ready().is_ok());
}
