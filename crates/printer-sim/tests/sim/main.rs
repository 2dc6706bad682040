//! Integration tests of the printer simulator: the printer port over raw TCP, the admin API
//! over HTTP, the binary, and the rendering. One binary; helpers below.

mod admin;
mod binary;
mod render;
mod server;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const WAIT: Duration = Duration::from_secs(5);

/// A small job as a kiosk would send it: reset, CP866, a centred bold line, a double-size
/// number, a QR code, a cut.
pub fn job(number: &str) -> Vec<u8> {
    let mut b = vec![0x1B, b'@', 0x1B, b't', 17, 0x1B, b'a', 1, 0x1B, b'E', 1];
    // "Заказ" in CP866.
    b.extend_from_slice(&[0x87, 0xA0, 0xAA, 0xA0, 0xA7, 0x0A]);
    b.extend_from_slice(&[0x1B, b'E', 0, 0x1D, b'!', 0x11]);
    b.extend_from_slice(number.as_bytes());
    b.extend_from_slice(&[0x0A, 0x1D, b'!', 0x00]);
    let url = format!("https://example.test/o/{number}");
    let store_len = url.len() + 3;
    for f in [vec![49, 65, 50, 0], vec![49, 67, 6], vec![49, 69, 49]] {
        b.extend_from_slice(&[0x1D, b'(', b'k', f.len() as u8, 0]);
        b.extend_from_slice(&f);
    }
    b.extend_from_slice(&[
        0x1D,
        b'(',
        b'k',
        store_len as u8,
        (store_len >> 8) as u8,
        49,
        80,
        48,
    ]);
    b.extend_from_slice(url.as_bytes());
    b.extend_from_slice(&[0x1D, b'(', b'k', 3, 0, 49, 81, 48]);
    b.extend_from_slice(&[0x1B, b'd', 2, 0x1D, b'V', 66, 0]);
    b
}

/// Sends `DLE EOT n` and waits up to `timeout` for the one-byte reply.
pub async fn ask(conn: &mut TcpStream, n: u8, timeout: Duration) -> Option<u8> {
    conn.write_all(&[0x10, 0x04, n]).await.unwrap();
    let mut b = [0u8; 1];
    match tokio::time::timeout(timeout, conn.read_exact(&mut b)).await {
        Ok(Ok(_)) => Some(b[0]),
        _ => None,
    }
}
