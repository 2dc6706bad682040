//! A [`Document`] as plain text, column for column: the form slip snapshots are reviewed in.
//!
//! A character printed at width ×N is followed by N−1 spaces, so alignment and right-aligned
//! amounts look exactly as on paper. QR codes show their content, cuts a marked line. Bold and
//! height are not visible here; the PNG shows them.

use crate::interp::{Align, Block, Document, Line, CELL_H};

fn cells(line: &Line) -> String {
    let mut s = String::new();
    for r in &line.runs {
        for c in r.text.chars() {
            s.push(c);
            for _ in 1..r.style.width {
                s.push(' ');
            }
        }
    }
    s
}

fn aligned(text: &str, align: Align, columns: usize) -> String {
    let len = text.chars().count();
    let pad = columns.saturating_sub(len);
    let left = match align {
        Align::Left => 0,
        Align::Center => pad / 2,
        Align::Right => pad,
    };
    format!("{}{text}", " ".repeat(left)).trim_end().to_string()
}

pub fn to_text(doc: &Document) -> String {
    let w = doc.columns();
    let mut out = String::new();
    for b in &doc.blocks {
        match b {
            Block::Line(l) => out.push_str(&aligned(&cells(l), l.align, w)),
            Block::Space { dots } => {
                for _ in 1..(dots / CELL_H).max(1) {
                    out.push('\n');
                }
            }
            Block::Qr(q) => {
                let data = String::from_utf8_lossy(&q.data);
                out.push_str(&aligned(&format!("[QR {data}]"), q.align, w));
            }
            Block::Cut => out.push_str(&format!("{:=^w$}", " cut ")),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::interpret;

    #[test]
    fn wide_characters_take_their_columns() {
        let d = interpret(&[0x1B, b'a', 1, 0x1D, b'!', 0x11, b'4', b'2', 0x0A], 384);
        // "4 2 " is four columns, centred in 32.
        assert_eq!(to_text(&d), format!("{}4 2\n", " ".repeat(14)));
    }
}
