//! The slip's layout: a [`Slip`] to ESC/POS bytes for one paper width, code page and language.
//!
//! Everything is measured in font-A columns (32 on 58 mm, 48 on 80 mm) on text that has already
//! been made printable, where one character is one byte and one column. Amounts are right-aligned
//! in the last columns, names wrap word by word before them, and nothing relies on the printer's
//! own line wrapping, so the slip reads the same on every model.
//!
//! Order of the slip: header, number (large), eat in / takeaway and pickup number, lines with
//! modifiers, discounts and markups, total, payment, date, QR code of the status page, thanks,
//! cut.

use kiosk_core::cart::OrderType;
use kiosk_core::pricing::AdjustmentKind;
use kiosk_core::Money;

use crate::codepage::printable;
use crate::escpos::{Align, EscPos, QrLevel};
use crate::lang::Language;
use crate::settings::{CodePage, PaperWidth};
use crate::slip::{NumberSlip, Slip, SlipPayment};

/// How a slip is laid out and encoded; [`crate::PrinterSettings::format`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlipFormat {
    pub paper: PaperWidth,
    pub code_page: CodePage,
    /// The `ESC t` number of `code_page` on this printer.
    pub code_page_table: u8,
    pub language: Language,
    pub feed_before_cut: u8,
}

impl SlipFormat {
    /// Epson numbering, no extra feed: what tests and previews use.
    pub fn new(paper: PaperWidth, code_page: CodePage, language: Language) -> SlipFormat {
        SlipFormat {
            paper,
            code_page,
            code_page_table: code_page.epson_table(),
            language,
            feed_before_cut: 2,
        }
    }
}

/// Splits `text` into lines of at most `width` characters, at spaces where it can; words longer
/// than a line are cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let sep = usize::from(cur_len > 0);
            if cur_len + sep + word.len() <= width {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.extend(word.iter());
                cur_len += sep + word.len();
                break;
            }
            if cur_len > 0 {
                lines.push(std::mem::take(&mut cur));
                cur_len = 0;
                continue;
            }
            // A word longer than a whole line.
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if cur_len > 0 || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `left` and `right` on one line `width` wide, `right` flush right; `left` wraps onto lines
/// indented by `indent` when it does not fit beside `right`.
fn row(left: &str, right: &str, width: usize, indent: usize) -> Vec<String> {
    let right_len = right.chars().count();
    let room = width.saturating_sub(right_len + 1).max(1);
    let mut out = Vec::new();
    let first = wrap(left, room);
    let mut rest_text = String::new();
    let first_line = first[0].clone();
    if first.len() > 1 {
        rest_text = first[1..].join(" ");
    }
    let pad = width.saturating_sub(first_line.chars().count() + right_len);
    out.push(format!("{first_line}{}{right}", " ".repeat(pad.max(1))));
    if !rest_text.is_empty() {
        for l in wrap(&rest_text, width.saturating_sub(indent)) {
            out.push(format!("{}{l}", " ".repeat(indent)));
        }
    }
    out
}

/// `label: value`, the value wrapping under itself when long (transaction ids).
fn field(label: &str, value: &str, width: usize) -> Vec<String> {
    let text = format!("{label}: {value}");
    wrap(&text, width)
}

fn signed(m: Money) -> String {
    if m.is_negative() || m.is_zero() {
        m.to_string()
    } else {
        format!("+{m}")
    }
}

/// The ESC/POS job of one slip.
pub fn render(slip: &Slip, f: &SlipFormat) -> Vec<u8> {
    let t = f.language.texts();
    let cp = f.code_page;
    let w = f.paper.columns();
    let pr = |s: &str| printable(s, cp);
    let divider = "-".repeat(w);
    let mut p = EscPos::new(cp, f.code_page_table);

    // Header: the restaurant's name in bold, the rest as given.
    p.align(Align::Center);
    for (i, h) in slip.header.iter().enumerate() {
        p.bold(i == 0);
        for l in wrap(&pr(h), w) {
            p.line(&l);
        }
    }
    p.bold(false);
    if slip.reprint {
        p.bold(true)
            .line(&format!("*** {} ***", t.copy))
            .bold(false);
    }
    p.line(&divider);

    // The number, as large as the paper allows: it is what the guest listens for.
    let number = pr(&slip.number);
    let takeaway = slip.order_type == OrderType::Takeaway;
    let pickup = slip.pickup_number.as_deref().map(pr);
    let number_is_pickup = takeaway && pickup.as_deref() == Some(number.as_str());
    p.line(if number_is_pickup {
        t.pickup_number
    } else {
        t.order
    });
    let len = number.chars().count().max(1);
    let mul = [4u8, 3, 2]
        .into_iter()
        .find(|m| len * usize::from(*m) <= w)
        .unwrap_or(1);
    p.bold(true).size(mul, mul);
    for l in wrap(&number, w / usize::from(mul)) {
        p.line(&l);
    }
    p.size(1, 2);
    p.line(if takeaway { t.takeaway } else { t.eat_in });
    if let (true, false, Some(pickup)) = (takeaway, number_is_pickup, pickup.as_deref()) {
        for l in wrap(&format!("{}: {pickup}", t.pickup_label), w) {
            p.line(&l);
        }
    }
    p.size(1, 1).bold(false);
    p.align(Align::Left);
    p.line(&divider);

    // What was ordered: quantity and name, the amount right-aligned; modifiers indented.
    for line in &slip.lines {
        let name = pr(&line.name);
        let left = if line.qty > 1 {
            format!("{} x {name}", line.qty)
        } else {
            name
        };
        for l in row(&left, &line.total.to_string(), w, 2) {
            p.line(&l);
        }
        for m in &line.modifiers {
            let mut text = format!("+ {}", pr(&m.name));
            if m.qty > 1 {
                text.push_str(&format!(" x{}", m.qty));
            }
            if !m.total.is_zero() {
                // In brackets: already counted in the line's amount, not added again.
                text.push_str(&format!(" ({})", signed(m.total)));
            }
            for (i, l) in wrap(&text, w - 4).into_iter().enumerate() {
                let indent = if i == 0 { 2 } else { 4 };
                p.line(&format!("{}{l}", " ".repeat(indent)));
            }
        }
    }
    p.line(&divider);

    if !slip.adjustments.is_empty() {
        for l in row(t.subtotal, &slip.subtotal.to_string(), w, 2) {
            p.line(&l);
        }
        for a in &slip.adjustments {
            let name = pr(a.name.trim());
            let name = if name.is_empty() {
                match a.kind {
                    AdjustmentKind::Discount => t.discount.to_string(),
                    AdjustmentKind::Markup => t.markup.to_string(),
                }
            } else {
                name
            };
            for l in row(&name, &signed(a.amount), w, 2) {
                p.line(&l);
            }
        }
    }
    let at_counter = matches!(slip.payment, SlipPayment::AtCounter);
    p.bold(true).size(1, 2);
    let total_label = if at_counter { t.to_pay } else { t.total };
    for l in row(total_label, &slip.total.to_string(), w, 2) {
        p.line(&l);
    }
    p.size(1, 1).bold(false);

    match &slip.payment {
        SlipPayment::Paid {
            card,
            auth_code,
            reference,
        } => {
            let how = match card {
                Some(c) => format!("{} {}", t.card, pr(c)),
                None => slip.total.to_string(),
            };
            for l in field(t.paid, &how, w) {
                p.line(&l);
            }
            if let Some(a) = auth_code {
                for l in field(t.auth_code, &pr(a), w) {
                    p.line(&l);
                }
            }
            if let Some(r) = reference {
                for l in field(t.reference, &pr(r), w) {
                    p.line(&l);
                }
            }
        }
        SlipPayment::AtCounter => {
            p.align(Align::Center).bold(true);
            for l in wrap(t.pay_at_counter, w) {
                p.line(&l);
            }
            p.bold(false).align(Align::Left);
        }
    }
    p.line(&pr(&slip.date_time));

    p.align(Align::Center);
    if let Some(url) = &slip.status_url {
        p.feed(1);
        let module = match f.paper {
            PaperWidth::Mm58 => 6,
            PaperWidth::Mm80 => 8,
        };
        // The URL is sent as bytes: it is ASCII (percent-encoded ids), no code page applies.
        p.qr(url.as_bytes(), module, QrLevel::M);
        for l in wrap(t.qr_caption, w) {
            p.line(&l);
        }
    }
    p.feed(1);
    p.line(t.thanks);
    p.align(Align::Left);
    if f.feed_before_cut > 0 {
        p.feed(f.feed_before_cut);
    }
    p.cut(0);
    p.into_bytes()
}

/// The ESC/POS job of a number-only slip: header, the number as large as it fits, eat in or
/// takeaway when known, the order's total and the time.
pub fn render_number(slip: &NumberSlip, f: &SlipFormat) -> Vec<u8> {
    let t = f.language.texts();
    let cp = f.code_page;
    let w = f.paper.columns();
    let pr = |s: &str| printable(s, cp);
    let divider = "-".repeat(w);
    let mut p = EscPos::new(cp, f.code_page_table);
    p.align(Align::Center);
    for (i, h) in slip.header.iter().enumerate() {
        p.bold(i == 0);
        for l in wrap(&pr(h), w) {
            p.line(&l);
        }
    }
    p.bold(false);
    p.line(&divider);
    p.line(t.order);
    let number = pr(&slip.number);
    let len = number.chars().count().max(1);
    let mul = [4u8, 3, 2]
        .into_iter()
        .find(|m| len * usize::from(*m) <= w)
        .unwrap_or(1);
    p.bold(true).size(mul, mul);
    for l in wrap(&number, w / usize::from(mul)) {
        p.line(&l);
    }
    p.size(1, 2);
    match slip.order_type {
        Some(OrderType::Takeaway) => {
            p.line(t.takeaway);
        }
        Some(OrderType::EatIn) => {
            p.line(t.eat_in);
        }
        None => {}
    }
    p.size(1, 1).bold(false);
    p.align(Align::Left);
    p.line(&divider);
    p.bold(true);
    for l in row(t.total, &slip.total.to_string(), w, 2) {
        p.line(&l);
    }
    p.bold(false);
    p.line(&pr(&slip.date_time));
    p.align(Align::Center);
    p.feed(1);
    p.line(t.thanks);
    p.align(Align::Left);
    if f.feed_before_cut > 0 {
        p.feed(f.feed_before_cut);
    }
    p.cut(0);
    p.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("ab  cd", 10), vec!["ab cd"]);
    }

    #[test]
    fn rows_put_the_amount_flush_right() {
        let r = row("Чизбургер", "199.00", 20, 2);
        assert_eq!(r, vec!["Чизбургер     199.00"]);
        assert_eq!(r[0].chars().count(), 20);
        let r = row("Очень длинное название блюда", "1199.00", 20, 2);
        assert_eq!(r[0], "Очень        1199.00");
        assert_eq!(r[1..], ["  длинное название", "  блюда"]);
        assert!(r.iter().all(|l| l.chars().count() <= 20), "{r:?}");
    }
}
