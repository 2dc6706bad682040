//! ESC/POS commands: the byte sequences the slip is made of.
//!
//! Only the commands every Epson-compatible receipt printer implements are used (TM-T20/T88
//! class and their clones): initialise, code table, alignment, emphasis, character size, feed,
//! QR code (`GS ( k`, model 2) and cut. The builder keeps the code page so text is always
//! encoded for the table that was selected.

use crate::codepage;
use crate::settings::CodePage;

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const DLE: u8 = 0x10;
pub const EOT: u8 = 0x04;
pub const LF: u8 = 0x0A;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left = 0,
    Center = 1,
    Right = 2,
}

/// QR error correction; M (15 %) survives a smudge and keeps a URL's code small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrLevel {
    L = 48,
    M = 49,
    Q = 50,
    H = 51,
}

/// `DLE EOT n`: the real-time status request, answered with one byte even while the printer
/// is busy or offline.
pub fn status_request(n: u8) -> [u8; 3] {
    [DLE, EOT, n]
}

/// Builds one print job.
#[derive(Debug, Clone)]
pub struct EscPos {
    buf: Vec<u8>,
    code_page: CodePage,
}

impl EscPos {
    /// `ESC @` (reset to power-on state) then `ESC t table`: every job starts from a known state
    /// whatever the previous job left behind.
    pub fn new(code_page: CodePage, table: u8) -> EscPos {
        let mut p = EscPos {
            buf: Vec::with_capacity(2048),
            code_page,
        };
        p.buf.extend_from_slice(&[ESC, b'@', ESC, b't', table]);
        p
    }

    pub fn align(&mut self, a: Align) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'a', a as u8]);
        self
    }

    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'E', on as u8]);
        self
    }

    /// `GS ! n`: character width and height multipliers, 1 to 8 each.
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let w = width.clamp(1, 8) - 1;
        let h = height.clamp(1, 8) - 1;
        self.buf.extend_from_slice(&[GS, b'!', (w << 4) | h]);
        self
    }

    /// Text in the job's code page, without a line end.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.buf
            .extend_from_slice(&codepage::encode(s, self.code_page));
        self
    }

    /// Text and a line end.
    pub fn line(&mut self, s: &str) -> &mut Self {
        self.text(s);
        self.buf.push(LF);
        self
    }

    /// `ESC d n`: print what is buffered and feed `n` lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'd', lines]);
        self
    }

    /// A QR code (model 2) of `data`, `module` dots per module (1–16).
    pub fn qr(&mut self, data: &[u8], module: u8, level: QrLevel) -> &mut Self {
        // GS ( k pL pH cn fn ...: the two length bytes count from cn on.
        let mut fun = |body: &[u8]| {
            let len = body.len();
            self.buf
                .extend_from_slice(&[GS, b'(', b'k', (len & 0xFF) as u8, (len >> 8) as u8]);
            self.buf.extend_from_slice(body);
        };
        fun(&[49, 65, 50, 0]); // function 165: model 2
        fun(&[49, 67, module.clamp(1, 16)]); // function 167: module size
        fun(&[49, 69, level as u8]); // function 169: error correction
        let mut store = Vec::with_capacity(data.len() + 3);
        store.extend_from_slice(&[49, 80, 48]); // function 180: store the data
        store.extend_from_slice(data);
        fun(&store);
        fun(&[49, 81, 48]); // function 181: print the stored symbol
        self
    }

    /// `GS V 66 n`: feed to the cutter plus `n` dots and cut, leaving a tab (partial cut) so
    /// the slip does not drop to the floor before the guest takes it.
    pub fn cut(&mut self, extra_dots: u8) -> &mut Self {
        self.buf.extend_from_slice(&[GS, b'V', 66, extra_dots]);
        self
    }

    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_lengths_count_from_cn() {
        let mut p = EscPos::new(CodePage::Cp866, 17);
        p.qr(b"https://x/1", 6, QrLevel::M);
        let b = p.into_bytes();
        let store = [GS, b'(', b'k', 14, 0, 49, 80, 48];
        let at = b.windows(store.len()).position(|w| w == store).unwrap();
        assert_eq!(&b[at + store.len()..at + store.len() + 11], b"https://x/1");
        assert_eq!(&b[..5], &[ESC, b'@', ESC, b't', 17]);
    }

    #[test]
    fn size_packs_width_and_height() {
        let mut p = EscPos::new(CodePage::Cp866, 17);
        p.size(2, 3);
        assert_eq!(&p.bytes()[5..], &[GS, b'!', 0x12]);
    }
}
