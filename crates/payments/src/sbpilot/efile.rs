//! The result files `sb_pilot` leaves in its working directory, and its `return:N` line.
//!
//! This module is the one place that knows their layout, so adopting the layout of the bank's
//! real build is a one-file change. None of it is published by Sberbank; what is here comes
//! from public integration code (reference `payments.md` §3.1, marked [C]) and is **assumed**
//! until checked against a real terminal:
//!
//! | line of `e` | meaning (assumed) |
//! |---|---|
//! | 0 | `<code>,<text>`: `0`/`00` approved, `2000` cancelled by the customer, else an error |
//! | 1 | masked card number |
//! | 3 | authorisation code |
//! | 4 | receipt (cheque) number on the terminal |
//! | 7 | terminal id |
//! | 8 | date and time, `YYYYMMDDHHMMSS` |
//! | 9 | reference ("link") number, used to refund (`QSELECT`) |
//! | 10 | card hash |
//! | 13 | merchant id |
//!
//! Lines 2, 5, 6, 11 and 12 are not read. `p` holds the slip text. Both files are KOI8-R on the
//! Linux build; the encoding is configurable because the Windows build is not known to match.
//! The exit code of `sb_pilot` is not read at all: it is reported to be 0 whatever happened.

use encoding_rs::Encoding;

pub const RESULT_FILE: &str = "e";
pub const SLIP_FILE: &str = "p";

pub const CARD_MASK: usize = 1;
pub const AUTH_CODE: usize = 3;
pub const RECEIPT_NO: usize = 4;
pub const TERMINAL_ID: usize = 7;
pub const DATETIME: usize = 8;
pub const REFERENCE: usize = 9;
pub const CARD_HASH: usize = 10;
pub const MERCHANT_ID: usize = 13;

/// The code sb_pilot uses when the customer cancelled on the pinpad [C].
pub const CUSTOMER_CANCEL: &str = "2000";

/// A parsed `e` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultFile {
    pub code: String,
    pub text: String,
    lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResultFileError {
    #[error("the result file is empty")]
    Empty,
    #[error("the result file does not start with `<code>,<text>`: {0:?}")]
    NoCode(String),
}

impl ResultFile {
    /// A result known only from `return:N` (no `e` file was written).
    pub fn from_code(code: i64) -> ResultFile {
        ResultFile {
            code: code.to_string(),
            text: format!("sb_pilot returned {code}"),
            lines: vec![],
        }
    }

    pub fn parse(bytes: &[u8], encoding: &'static Encoding) -> Result<ResultFile, ResultFileError> {
        let (text, _, _) = encoding.decode(bytes);
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect();
        let first = lines.first().ok_or(ResultFileError::Empty)?;
        if first.trim().is_empty() {
            return Err(ResultFileError::Empty);
        }
        let (code, rest) = first.split_once(',').unwrap_or((first.as_str(), ""));
        let code = code.trim();
        let numeric = code.strip_prefix('-').unwrap_or(code);
        if numeric.is_empty() || !numeric.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ResultFileError::NoCode(first.chars().take(60).collect()));
        }
        Ok(ResultFile {
            code: code.to_string(),
            text: rest.trim().to_string(),
            lines,
        })
    }

    pub fn approved(&self) -> bool {
        self.code.trim_start_matches('0').is_empty()
    }

    pub fn customer_cancelled(&self) -> bool {
        self.code == CUSTOMER_CANCEL
    }

    /// A line by its index, trimmed; `None` when absent or empty.
    pub fn line(&self, index: usize) -> Option<String> {
        self.lines
            .get(index)
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
    }

    /// Line 8 (`YYYYMMDDHHMMSS`) as `YYYY-MM-DDTHH:MM:SS`, the form the rest of the kiosk uses.
    pub fn paid_at(&self) -> Option<String> {
        let t = self.line(DATETIME)?;
        if t.len() != 14 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(format!(
            "{}-{}-{}T{}:{}:{}",
            &t[0..4],
            &t[4..6],
            &t[6..8],
            &t[8..10],
            &t[10..12],
            &t[12..14]
        ))
    }
}

/// The code of the last `return:N` line of sb_pilot's standard output, if any.
pub fn return_code(stdout: &str) -> Option<i64> {
    stdout
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("return:"))
        .and_then(|n| n.trim().parse().ok())
}

/// Whether a line of standard output is something to show the customer (a terminal prompt),
/// rather than the `return:` line or noise.
pub fn is_prompt(line: &str) -> bool {
    let l = line.trim();
    !l.is_empty() && !l.starts_with("return:") && l.chars().any(char::is_alphabetic)
}

/// The customer's screen shows the terminal's prompt in the customer's language: a prompt
/// the kiosk recognises becomes a key the UI translates (`card_prompt`, `pin_prompt`,
/// `bank_connect`, `pinpad_wait`, `approved`); any other line is shown as the terminal wrote it.
/// The prompt texts are **assumed** (public integration code, the upper-case style of UPOS
/// screens); a real terminal's other wording simply shows as it is.
pub fn prompt_key(line: &str) -> Option<&'static str> {
    let l = line.trim().to_uppercase();
    if l.contains("ПИНПАД") {
        // "ОЖИДАНИЕ ПИНПАДА", before the PIN check below matches its "ПИН".
        l.contains("ОЖИДАНИЕ").then_some("pinpad_wait")
    } else if l.contains("ПИН") {
        Some("pin_prompt")
    } else if l.contains("КАРТ")
        && ["ПРИЛОЖИТЕ", "ВСТАВЬТЕ", "ПРОВЕДИТЕ"]
            .iter()
            .any(|w| l.contains(w))
    {
        Some("card_prompt")
    } else if l.contains("СОЕДИНЕНИЕ") || l.contains("СВЯЗЬ С БАНКОМ") {
        Some("bank_connect")
    } else if l == "ОДОБРЕНО" {
        Some("approved")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn koi8(text: &str) -> Vec<u8> {
        encoding_rs::KOI8_R.encode(text).0.into_owned()
    }

    #[test]
    fn reads_an_approval_in_koi8r() {
        let e = koi8("0,ОДОБРЕНО\n220220******1234\n\n123456\n0042\nМИР\n\n00112233\n20260115123005\n412300000001\nABCDEF\n\n\n7700001\n");
        let r = ResultFile::parse(&e, encoding_rs::KOI8_R).unwrap();
        assert!(r.approved());
        assert_eq!(r.text, "ОДОБРЕНО");
        assert_eq!(r.line(CARD_MASK).as_deref(), Some("220220******1234"));
        assert_eq!(r.line(AUTH_CODE).as_deref(), Some("123456"));
        assert_eq!(r.line(REFERENCE).as_deref(), Some("412300000001"));
        assert_eq!(r.line(MERCHANT_ID).as_deref(), Some("7700001"));
        assert_eq!(r.paid_at().as_deref(), Some("2026-01-15T12:30:05"));
    }

    #[test]
    fn codes_and_garbage() {
        let r = ResultFile::parse(&koi8("2000,ОПЕРАЦИЯ ПРЕРВАНА\n"), encoding_rs::KOI8_R).unwrap();
        assert!(r.customer_cancelled() && !r.approved());
        assert!(ResultFile::parse(b"00,OK", encoding_rs::KOI8_R)
            .unwrap()
            .approved());
        assert!(ResultFile::parse(b"\xff\xfe\x00garbage", encoding_rs::KOI8_R).is_err());
        assert!(ResultFile::parse(b"", encoding_rs::KOI8_R).is_err());
        assert!(ResultFile::parse(b"OK,0", encoding_rs::KOI8_R).is_err());
    }

    #[test]
    fn return_lines() {
        assert_eq!(return_code("ВСТАВЬТЕ КАРТУ\nreturn:0\n"), Some(0));
        assert_eq!(return_code("return:2000"), Some(2000));
        assert_eq!(return_code("@@@###"), None);
        assert!(is_prompt("ВВЕДИТЕ ПИН"));
        assert!(!is_prompt("return:0"));
        assert!(!is_prompt("  "));
    }

    #[test]
    fn known_prompts_become_keys() {
        assert_eq!(
            prompt_key("ПРИЛОЖИТЕ, ВСТАВЬТЕ ИЛИ ПРОВЕДИТЕ КАРТУ"),
            Some("card_prompt")
        );
        assert_eq!(prompt_key("ВВЕДИТЕ ПИН-КОД"), Some("pin_prompt"));
        assert_eq!(prompt_key("СОЕДИНЕНИЕ С БАНКОМ"), Some("bank_connect"));
        assert_eq!(prompt_key("ОЖИДАНИЕ ПИНПАДА"), Some("pinpad_wait"));
        assert_eq!(prompt_key("ОТКАЗ: НЕДОСТАТОЧНО СРЕДСТВ"), None);
    }
}
