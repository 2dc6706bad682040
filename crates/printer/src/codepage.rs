//! Text to printer bytes in the printer's single-byte code page.
//!
//! Receipt printers know no UTF-8: `ESC t n` selects a 256-character table and every byte above
//! 0x7F is a letter of that table. The tables here are derived from `encoding_rs`'s decoders
//! (IBM866, windows-1251), so they agree with the WHATWG definitions byte for byte. Characters a
//! table lacks are first replaced by a close ASCII form (typographic dashes and quotes, the rouble
//! sign) and only then by `?`, so a menu name with « » or — still prints legibly.
//!
//! Layout works on [`printable`] text, in which every character is exactly one printer byte, so
//! that counting characters is counting columns.

use std::collections::HashMap;
use std::sync::OnceLock;

use encoding_rs::{Encoding, IBM866, WINDOWS_1251};

use crate::settings::CodePage;

fn encoding(cp: CodePage) -> &'static Encoding {
    match cp {
        CodePage::Cp866 => IBM866,
        CodePage::Wpc1251 => WINDOWS_1251,
    }
}

/// char → byte for the upper half of a table (the lower half is ASCII in both).
fn table(cp: CodePage) -> &'static HashMap<char, u8> {
    static CP866: OnceLock<HashMap<char, u8>> = OnceLock::new();
    static WPC1251: OnceLock<HashMap<char, u8>> = OnceLock::new();
    let cell = match cp {
        CodePage::Cp866 => &CP866,
        CodePage::Wpc1251 => &WPC1251,
    };
    cell.get_or_init(|| {
        let enc = encoding(cp);
        (0x80u8..=0xFF)
            .filter_map(|b| {
                let bytes = [b];
                let (text, had_errors) = enc.decode_without_bom_handling(&bytes);
                let c = text.chars().next()?;
                // C1 controls (windows-1251's 0x98) are not characters a slip may contain.
                (!had_errors && !c.is_control()).then_some((c, b))
            })
            .collect()
    })
}

/// A close ASCII (or table) form of characters that some tables lack.
fn fallback(c: char) -> Option<&'static str> {
    Some(match c {
        '—' | '–' | '‒' | '−' => "-",
        '«' | '»' | '„' | '“' | '”' => "\"",
        '‘' | '’' | '‚' => "'",
        '…' => "...",
        '₽' => "р.",
        '×' => "x",
        '№' => "N",
        '\u{a0}' | '\u{2007}' | '\u{202f}' | '\t' => " ",
        '€' => "EUR",
        _ => return None,
    })
}

fn push_printable(c: char, cp: CodePage, out: &mut String) {
    if c.is_ascii() {
        if !c.is_ascii_control() {
            out.push(c);
        } else if c == '\t' {
            out.push(' ');
        }
        // Other control characters would be taken as printer commands: dropped.
        return;
    }
    if table(cp).contains_key(&c) {
        out.push(c);
        return;
    }
    match fallback(c) {
        Some(s) => {
            for f in s.chars() {
                if f.is_ascii() || table(cp).contains_key(&f) {
                    out.push(f);
                }
            }
        }
        None if c.is_control() => {}
        None => out.push('?'),
    }
}

/// `text` with every character replaced by one the code page has (or removed, for control
/// characters), so that `printable(t).chars().count() == encode(t).len()`.
pub fn printable(text: &str, cp: CodePage) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_printable(c, cp, &mut out);
    }
    out
}

/// The printer bytes of `text`. Never emits a control byte, so text can never turn into a
/// command.
pub fn encode(text: &str, cp: CodePage) -> Vec<u8> {
    let t = table(cp);
    printable(text, cp)
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c as u8
            } else {
                t.get(&c).copied().unwrap_or(b'?')
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_maps_to_the_known_bytes() {
        assert_eq!(
            encode("АаЯяЁё№", CodePage::Cp866),
            vec![0x80, 0xA0, 0x9F, 0xEF, 0xF0, 0xF1, 0xFC]
        );
        assert_eq!(
            encode("АаЯяЁё№", CodePage::Wpc1251),
            vec![0xC0, 0xE0, 0xDF, 0xFF, 0xA8, 0xB8, 0xB9]
        );
    }

    #[test]
    fn missing_characters_get_a_legible_form() {
        assert_eq!(
            printable("«Сыр» — 5 ₽…", CodePage::Cp866),
            "\"Сыр\" - 5 р...."
        );
        // windows-1251 has the guillemets and the dash itself.
        assert_eq!(printable("«Сыр» —", CodePage::Wpc1251), "«Сыр» —");
        assert_eq!(printable("日本", CodePage::Cp866), "??");
    }

    #[test]
    fn control_characters_never_reach_the_printer() {
        let bytes = encode("a\u{1b}@b\u{1d}V\u{0}\nc\u{85}", CodePage::Cp866);
        assert_eq!(bytes, b"a@bVc".to_vec());
        assert_eq!(
            printable("a\u{1b}b", CodePage::Cp866).chars().count(),
            encode("a\u{1b}b", CodePage::Cp866).len()
        );
    }
}
