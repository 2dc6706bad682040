//! A minimal ESC/POS interpreter: the bytes a printer receives, read the way an Epson-compatible
//! printer reads them, into a [`Document`] of lines, QR codes and cuts.
//!
//! It knows the commands a receipt needs (initialise, code table, alignment, emphasis, print
//! mode, character size, feeds, `GS ( k` QR codes, cuts, real-time status) and skips the
//! arguments of the common ones it does not draw (drawer kick, line spacing, margins). Anything
//! else is noted in [`Document::warnings`] so a test can insist on a clean stream. Text is decoded
//! with the code table selected by `ESC t` (Epson numbering: 17 = PC866, 46 = WPC1251), written
//! independently of the kiosk's encoder so that the round trip means something.
//!
//! Like the hardware, the interpreter wraps a line that would run past the paper's width.

use std::sync::OnceLock;

use encoding_rs::{Encoding, IBM866, WINDOWS_1251};
use serde::Serialize;

/// Font A: 12 × 24 dots per character at size 1.
pub const CELL_W: u32 = 12;
pub const CELL_H: u32 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Style {
    pub bold: bool,
    pub underline: bool,
    /// Character width and height multipliers (1–8).
    pub width: u8,
    pub height: u8,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            bold: false,
            underline: false,
            width: 1,
            height: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub text: String,
    pub style: Style,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Line {
    pub align: Align,
    /// Empty for a blank line.
    pub runs: Vec<Run>,
}

impl Line {
    /// In multiples of the 24-dot character height.
    pub fn height(&self) -> u8 {
        self.runs.iter().map(|r| r.style.height).max().unwrap_or(1)
    }

    /// Width in font-A columns (a double-width character takes two).
    pub fn columns(&self) -> usize {
        self.runs
            .iter()
            .map(|r| r.text.chars().count() * usize::from(r.style.width))
            .sum()
    }

    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QrLevel {
    L,
    M,
    Q,
    H,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Qr {
    pub data: Vec<u8>,
    /// Dots per module.
    pub module: u8,
    pub level: QrLevel,
    pub align: Align,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Line(Line),
    /// Paper fed by a number of dots (`ESC J`).
    Space {
        dots: u32,
    },
    Qr(Qr),
    Cut,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub width_dots: u32,
    pub blocks: Vec<Block>,
    /// The byte offset just past each cut command: where one slip ends.
    pub cuts: Vec<usize>,
    /// Commands not understood, truncated commands, unknown code tables.
    pub warnings: Vec<String>,
}

impl Document {
    /// Font-A columns across the paper.
    pub fn columns(&self) -> usize {
        (self.width_dots / CELL_W) as usize
    }

    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Line(l) => Some(l),
            _ => None,
        })
    }

    pub fn qr_codes(&self) -> impl Iterator<Item = &Qr> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Qr(q) => Some(q),
            _ => None,
        })
    }
}

/// The upper half of a code table, decoded.
fn upper_half(enc: &'static Encoding) -> [char; 128] {
    let mut t = ['?'; 128];
    for (i, slot) in t.iter_mut().enumerate() {
        let b = [0x80 + i as u8];
        let (s, _) = enc.decode_without_bom_handling(&b);
        *slot = s.chars().next().unwrap_or('?');
    }
    t
}

/// Epson's table numbers for the Cyrillic tables; `None` for tables the simulator lacks.
fn code_table(n: u8) -> Option<&'static [char; 128]> {
    static CP866: OnceLock<[char; 128]> = OnceLock::new();
    static WPC1251: OnceLock<[char; 128]> = OnceLock::new();
    match n {
        17 => Some(CP866.get_or_init(|| upper_half(IBM866))),
        46 => Some(WPC1251.get_or_init(|| upper_half(WINDOWS_1251))),
        _ => None,
    }
}

struct Interp<'a> {
    bytes: &'a [u8],
    pos: usize,
    width_dots: u32,
    style: Style,
    align: Align,
    table: u8,
    line: Line,
    line_started: bool,
    used_dots: u32,
    qr_data: Vec<u8>,
    qr_module: u8,
    qr_level: QrLevel,
    doc: Document,
}

/// Reads `bytes` as a printer with paper `width_dots` wide would.
pub fn interpret(bytes: &[u8], width_dots: u32) -> Document {
    let mut it = Interp {
        bytes,
        pos: 0,
        width_dots,
        style: Style::default(),
        align: Align::Left,
        table: 0,
        line: Line::default(),
        line_started: false,
        used_dots: 0,
        qr_data: vec![],
        qr_module: 3,
        qr_level: QrLevel::L,
        doc: Document {
            width_dots,
            blocks: vec![],
            cuts: vec![],
            warnings: vec![],
        },
    };
    it.run();
    if it.line_started {
        // Text without a line end stays in the printer's buffer: it is not printed.
        it.doc
            .warnings
            .push("text left in the buffer without a line end".into());
    }
    it.doc
}

/// The slips in a stream: the bytes up to and including each cut.
pub fn split_slips(bytes: &[u8], width_dots: u32) -> Vec<Vec<u8>> {
    let doc = interpret(bytes, width_dots);
    let mut start = 0;
    doc.cuts
        .iter()
        .map(|&end| {
            let s = bytes[start..end].to_vec();
            start = end;
            s
        })
        .collect()
}

impl Interp<'_> {
    /// The next `n` bytes, or `None` (with a warning) when the stream ends inside a command.
    fn take(&mut self, n: usize, what: &str) -> Option<&[u8]> {
        if self.pos + n > self.bytes.len() {
            self.doc
                .warnings
                .push(format!("truncated {what} at byte {}", self.pos));
            self.pos = self.bytes.len();
            return None;
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Some(s)
    }

    fn arg(&mut self, what: &str) -> Option<u8> {
        self.take(1, what).map(|s| s[0])
    }

    fn flush_line(&mut self) {
        let mut line = std::mem::take(&mut self.line);
        if !self.line_started {
            line.align = self.align;
        }
        self.doc.blocks.push(Block::Line(line));
        self.line_started = false;
        self.used_dots = 0;
    }

    fn put_char(&mut self, c: char) {
        let w = CELL_W * u32::from(self.style.width);
        if self.line_started && self.used_dots + w > self.width_dots {
            self.flush_line();
        }
        if !self.line_started {
            self.line.align = self.align;
            self.line_started = true;
        }
        self.used_dots += w;
        match self.line.runs.last_mut() {
            Some(r) if r.style == self.style => r.text.push(c),
            _ => self.line.runs.push(Run {
                text: c.to_string(),
                style: self.style,
            }),
        }
    }

    fn text_byte(&mut self, b: u8) {
        let c = if b < 0x80 {
            b as char
        } else {
            match code_table(self.table) {
                Some(t) => t[usize::from(b - 0x80)],
                None => {
                    let w = format!("code table {} is not simulated", self.table);
                    if !self.doc.warnings.contains(&w) {
                        self.doc.warnings.push(w);
                    }
                    '?'
                }
            }
        };
        self.put_char(c);
    }

    fn feed_lines(&mut self, n: u8) {
        let mut n = u32::from(n);
        if self.line_started {
            self.flush_line();
            n = n.saturating_sub(1);
        }
        for _ in 0..n {
            self.flush_line();
        }
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            self.pos += 1;
            match b {
                0x0A => self.flush_line(),
                0x0D => {}
                0x09 => self.put_char(' '),
                0x10 => self.dle(),
                0x1B => self.esc(),
                0x1D => self.gs(),
                0x20.. => self.text_byte(b),
                _ => self
                    .doc
                    .warnings
                    .push(format!("control byte {b:#04x} at {}", self.pos - 1)),
            }
        }
    }

    fn dle(&mut self) {
        let Some(f) = self.arg("DLE command") else {
            return;
        };
        match f {
            // DLE EOT n, DLE ENQ n: real-time requests, answered by the server, not printed.
            0x04 | 0x05 => {
                self.arg("DLE EOT");
            }
            // DLE DC4 fn m t: real-time pulse / power off / buffer clear.
            0x14 => {
                self.take(3, "DLE DC4");
            }
            other => self.doc.warnings.push(format!("unknown DLE {other:#04x}")),
        }
    }

    fn esc(&mut self) {
        let Some(c) = self.arg("ESC command") else {
            return;
        };
        match c {
            b'@' => {
                self.style = Style::default();
                self.align = Align::Left;
                self.table = 0;
            }
            b't' => {
                if let Some(n) = self.arg("ESC t") {
                    self.table = n;
                }
            }
            b'a' => {
                if let Some(n) = self.arg("ESC a") {
                    self.align = match n {
                        1 | 49 => Align::Center,
                        2 | 50 => Align::Right,
                        _ => Align::Left,
                    };
                }
            }
            b'E' | b'G' => {
                if let Some(n) = self.arg("ESC E") {
                    self.style.bold = n & 1 == 1;
                }
            }
            b'-' => {
                if let Some(n) = self.arg("ESC -") {
                    self.style.underline = matches!(n, 1 | 2 | 49 | 50);
                }
            }
            b'!' => {
                if let Some(n) = self.arg("ESC !") {
                    self.style.bold = n & 0x08 != 0;
                    self.style.height = if n & 0x10 != 0 { 2 } else { 1 };
                    self.style.width = if n & 0x20 != 0 { 2 } else { 1 };
                    self.style.underline = n & 0x80 != 0;
                }
            }
            b'd' => {
                if let Some(n) = self.arg("ESC d") {
                    self.feed_lines(n);
                }
            }
            b'J' => {
                if let Some(n) = self.arg("ESC J") {
                    if self.line_started {
                        self.flush_line();
                    }
                    self.doc.blocks.push(Block::Space { dots: u32::from(n) });
                }
            }
            // One-argument settings that do not change what is drawn here: line spacing, font,
            // character set, rotation, upside-down, peripheral, panel keys.
            b'3' | b'M' | b'R' | b'V' | b'{' | b'=' | b'c' | b' ' => {
                self.arg("ESC setting");
            }
            b'2' => {}
            // ESC p m t1 t2: drawer kick.
            b'p' => {
                self.take(3, "ESC p");
            }
            other => self
                .doc
                .warnings
                .push(format!("unknown ESC {:?}", other as char)),
        }
    }

    fn gs(&mut self) {
        let Some(c) = self.arg("GS command") else {
            return;
        };
        match c {
            b'!' => {
                if let Some(n) = self.arg("GS !") {
                    self.style.width = (n >> 4) + 1;
                    self.style.height = (n & 0x0F) + 1;
                    if self.style.width > 8 || self.style.height > 8 {
                        self.doc
                            .warnings
                            .push(format!("character size {n:#04x} out of range"));
                        self.style.width = self.style.width.min(8);
                        self.style.height = self.style.height.min(8);
                    }
                }
            }
            b'V' => {
                let Some(m) = self.arg("GS V") else { return };
                if matches!(m, 65 | 66) {
                    self.arg("GS V n");
                }
                if self.line_started {
                    // The cut prints what is buffered first.
                    self.flush_line();
                }
                self.doc.blocks.push(Block::Cut);
                self.doc.cuts.push(self.pos);
            }
            b'(' => {
                let Some(f) = self.arg("GS (") else { return };
                let Some(len) = self.take(2, "GS ( length") else {
                    return;
                };
                let n = usize::from(len[0]) | (usize::from(len[1]) << 8);
                let Some(body) = self.take(n, "GS ( body").map(<[u8]>::to_vec) else {
                    return;
                };
                if f == b'k' {
                    self.symbol(&body);
                }
                // Other GS ( functions (GS ( A test print, GS ( L graphics...) are skipped whole.
            }
            // One-argument settings: reverse, smoothing, HRI, barcode height/width, font.
            b'B' | b'b' | b'H' | b'h' | b'w' | b'f' | b'a' => {
                self.arg("GS setting");
            }
            // Two-argument settings: left margin, print area width.
            b'L' | b'W' => {
                self.take(2, "GS L/W");
            }
            other => self
                .doc
                .warnings
                .push(format!("unknown GS {:?}", other as char)),
        }
    }

    /// `GS ( k`: cn 49 is the QR code.
    fn symbol(&mut self, body: &[u8]) {
        let [cn, fun, rest @ ..] = body else {
            self.doc.warnings.push("empty GS ( k".into());
            return;
        };
        if *cn != 49 {
            self.doc
                .warnings
                .push(format!("2D symbol type {cn} is not simulated"));
            return;
        }
        match (fun, rest) {
            (65, _) => {} // model: only model 2 is drawn
            (67, [n, ..]) => self.qr_module = (*n).clamp(1, 16),
            (69, [n, ..]) => {
                self.qr_level = match n {
                    48 => QrLevel::L,
                    49 => QrLevel::M,
                    50 => QrLevel::Q,
                    _ => QrLevel::H,
                }
            }
            (80, [48, data @ ..]) => self.qr_data = data.to_vec(),
            (81, _) => {
                if self.line_started {
                    self.flush_line();
                }
                self.doc.blocks.push(Block::Qr(Qr {
                    data: self.qr_data.clone(),
                    module: self.qr_module,
                    level: self.qr_level,
                    align: self.align,
                }));
            }
            _ => self
                .doc
                .warnings
                .push(format!("QR function {fun} is not simulated")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_styles_and_alignment() {
        let mut b = vec![0x1B, b'@', 0x1B, b'a', 1, 0x1B, b'E', 1];
        b.extend_from_slice(b"Hi\n");
        b.extend_from_slice(&[0x1B, b'E', 0, 0x1D, b'!', 0x11, b'7', 0x0A]);
        let d = interpret(&b, 384);
        let lines: Vec<&Line> = d.lines().collect();
        assert_eq!(lines[0].align, Align::Center);
        assert!(lines[0].runs[0].style.bold);
        assert_eq!(lines[1].runs[0].style.width, 2);
        assert_eq!(lines[1].height(), 2);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }

    #[test]
    fn long_lines_wrap_at_the_paper_edge() {
        let mut b = vec![b'x'; 40];
        b.push(0x0A);
        let d = interpret(&b, 384);
        let lines: Vec<&Line> = d.lines().collect();
        assert_eq!(lines[0].columns(), 32);
        assert_eq!(lines[1].columns(), 8);
    }

    #[test]
    fn code_tables_decode_cyrillic() {
        let d = interpret(&[0x1B, b't', 17, 0x8F, 0xE0, 0xA8, 0x0A], 576);
        assert_eq!(d.lines().next().unwrap().text(), "При");
        let d = interpret(&[0x1B, b't', 46, 0xCF, 0xF0, 0xE8, 0x0A], 576);
        assert_eq!(d.lines().next().unwrap().text(), "При");
    }

    #[test]
    fn truncated_commands_are_reported_not_panicked_on() {
        let d = interpret(&[0x1D, b'(', b'k', 10, 0, 49], 384);
        assert!(d.warnings.iter().any(|w| w.contains("truncated")));
        let d = interpret(&[0x1B], 384);
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn cuts_split_the_stream() {
        let mut b = b"one\n".to_vec();
        b.extend_from_slice(&[0x1D, b'V', 66, 0]);
        b.extend_from_slice(b"two\n");
        b.extend_from_slice(&[0x1D, b'V', 1]);
        b.extend_from_slice(b"three\n");
        let slips = split_slips(&b, 384);
        assert_eq!(slips.len(), 2);
        assert_eq!(slips[1], b"two\n\x1dV\x01".to_vec());
    }
}
