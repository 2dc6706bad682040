//! The slip on paper: snapshots of the text the simulated printer reads back, for eat-in and
//! takeaway on both widths, plus the properties a snapshot review could miss (no line wrapped by
//! the printer, amounts flush right, the card number masked, the QR code's URL, the picture's
//! width).

use kiosk_core::cart::OrderType;
use printer::layout::render;
use printer::{Language, PaperWidth, Slip, SlipContext, SlipPayment};
use printer_sim::interp::{Block, Line};

use super::fixtures::{self, format, read_back, slip, text_of};

fn snapshot(name: &str, order_type: OrderType, paper: PaperWidth, lang: Language) -> String {
    let bytes = render(&slip(order_type), &format(paper, lang));
    let text = text_of(&bytes, paper);
    insta::assert_snapshot!(name, text);
    text
}

#[test]
fn eat_in_58mm() {
    snapshot(
        "eat_in_58_ru",
        OrderType::EatIn,
        PaperWidth::Mm58,
        Language::Ru,
    );
}

#[test]
fn eat_in_80mm() {
    snapshot(
        "eat_in_80_ru",
        OrderType::EatIn,
        PaperWidth::Mm80,
        Language::Ru,
    );
}

#[test]
fn takeaway_58mm() {
    snapshot(
        "takeaway_58_ru",
        OrderType::Takeaway,
        PaperWidth::Mm58,
        Language::Ru,
    );
}

#[test]
fn takeaway_80mm() {
    snapshot(
        "takeaway_80_ru",
        OrderType::Takeaway,
        PaperWidth::Mm80,
        Language::Ru,
    );
}

#[test]
fn takeaway_80mm_in_english() {
    let text = snapshot(
        "takeaway_80_en",
        OrderType::Takeaway,
        PaperWidth::Mm80,
        Language::En,
    );
    assert!(text.contains("TAKEAWAY"));
    assert!(text.contains("Scan to follow your order"));
}

/// A takeaway handed out by its own number, paid at the counter, printed again by staff.
#[test]
fn pay_at_counter_reprint_with_a_pickup_number_58mm() {
    let mut order = fixtures::order(OrderType::Takeaway);
    order.pay_at_counter = true;
    let mut ctx = fixtures::context();
    ctx.pickup_number = Some("T-12".into());
    ctx.reprint = true;
    let slip = Slip::from_order(&order, &fixtures::quote(), None, &ctx);
    assert_eq!(slip.payment, SlipPayment::AtCounter);
    let text = text_of(
        &render(&slip, &format(PaperWidth::Mm58, Language::Ru)),
        PaperWidth::Mm58,
    );
    insta::assert_snapshot!("counter_reprint_58_ru", text);
    assert!(text.contains("Номер выдачи: T-12"));
    assert!(text.contains("К ОПЛАТЕ"));
    assert!(text.contains("*** КОПИЯ ***"));
}

fn paper_and_types() -> Vec<(PaperWidth, OrderType)> {
    let mut v = vec![];
    for p in [PaperWidth::Mm58, PaperWidth::Mm80] {
        for t in [OrderType::EatIn, OrderType::Takeaway] {
            v.push((p, t));
        }
    }
    v
}

/// Every line the layout writes fits: the printer never had to wrap one (which would push an
/// amount onto a line of its own). Each text line of the job is one line on paper.
#[test]
fn no_line_is_wrapped_by_the_printer() {
    for (paper, t) in paper_and_types() {
        let bytes = render(&slip(t), &format(paper, Language::Ru));
        let doc = read_back(&bytes, paper);
        for l in doc.lines() {
            assert!(
                l.columns() <= paper.columns(),
                "{paper:?} {t:?}: {:?} is {} columns",
                l.text(),
                l.columns()
            );
        }
        // ESC d n feeds n lines; every other line ends with its own LF.
        let lf = bytes.iter().filter(|b| **b == 0x0A).count();
        let fed: usize = bytes
            .windows(3)
            .filter(|w| w[0] == 0x1B && w[1] == b'd')
            .map(|w| usize::from(w[2]))
            .sum();
        assert_eq!(doc.lines().count(), lf + fed, "{paper:?} {t:?}");
    }
}

#[test]
fn amounts_are_flush_right() {
    for (paper, t) in paper_and_types() {
        let text = text_of(&render(&slip(t), &format(paper, Language::Ru)), paper);
        for amount in ["738.00", "479.00", "120.00", "1337.00", "-133.70", "+50.00"] {
            let line = text
                .lines()
                .find(|l| l.ends_with(amount))
                .unwrap_or_else(|| panic!("{paper:?}: no line ends with {amount}:\n{text}"));
            assert_eq!(line.chars().count(), paper.columns(), "{line:?}");
        }
        // The total is printed double height: still one line across the paper.
        let total = text.lines().find(|l| l.starts_with("ИТОГО")).unwrap();
        assert!(total.ends_with("1253.30"));
        assert_eq!(total.chars().count(), paper.columns());
    }
}

#[test]
fn the_number_is_large_and_the_total_bold() {
    for (paper, t) in paper_and_types() {
        let doc = read_back(&render(&slip(t), &format(paper, Language::Ru)), paper);
        let lines: Vec<&Line> = doc.lines().collect();
        let number = lines.iter().find(|l| l.text() == "47").unwrap();
        assert!(number.runs[0].style.width >= 2 && number.runs[0].style.height >= 2);
        assert!(number.runs[0].style.bold);
        let total = lines
            .iter()
            .find(|l| l.text().starts_with("ИТОГО"))
            .unwrap();
        assert!(total.runs[0].style.bold);
        assert_eq!(total.runs[0].style.height, 2);
        assert_eq!(total.runs[0].style.width, 1);
    }
}

#[test]
fn only_the_masked_card_number_is_printed() {
    let bytes = render(
        &slip(OrderType::EatIn),
        &format(PaperWidth::Mm80, Language::Ru),
    );
    let text = text_of(&bytes, PaperWidth::Mm80);
    assert!(text.contains("Оплачено: Карта **** 4417"), "{text}");
    assert!(!text.contains("220220"));
    assert!(!bytes.windows(6).any(|w| w == b"220220"));
    assert!(text.contains("Код авторизации: A1B2C3"));
    assert!(text.contains("Операция: TXN-20261123-000731"));
}

#[test]
fn the_qr_code_opens_the_orders_status() {
    let bytes = render(
        &slip(OrderType::Takeaway),
        &format(PaperWidth::Mm58, Language::Ru),
    );
    let doc = read_back(&bytes, PaperWidth::Mm58);
    let qr: Vec<_> = doc.qr_codes().collect();
    assert_eq!(qr.len(), 1);
    assert_eq!(
        qr[0].data,
        format!("https://status.example.ru/o/{}", fixtures::ORDER_ID).into_bytes()
    );
    assert_eq!(qr[0].level, printer_sim::interp::QrLevel::M);
    // The slip ends with exactly one cut, after everything else.
    assert!(matches!(doc.blocks.last(), Some(Block::Cut)));
    assert_eq!(doc.cuts, vec![bytes.len()]);
}

#[test]
fn no_status_url_means_no_qr_code() {
    let mut ctx = fixtures::context();
    ctx.status_url = None;
    let slip = Slip::from_order(
        &fixtures::order(OrderType::EatIn),
        &fixtures::quote(),
        Some(&fixtures::receipt()),
        &ctx,
    );
    let doc = read_back(
        &render(&slip, &format(PaperWidth::Mm80, Language::Ru)),
        PaperWidth::Mm80,
    );
    assert_eq!(doc.qr_codes().count(), 0);
}

#[test]
fn the_pos_header_is_used_when_the_settings_have_none() {
    let mut s = fixtures::settings();
    s.header.clear();
    let at = time::macros::datetime!(2026-11-23 14:05 +3);
    let ctx = SlipContext::new(&s, Some("Суши-бар\n  ООО «Симулятор»  \n\n"), at);
    assert_eq!(ctx.header, vec!["Суши-бар", "ООО «Симулятор»"]);
    let ctx = SlipContext::new(&fixtures::settings(), Some("Суши-бар"), at);
    assert_eq!(ctx.header[0], "Бургерная «Две котлеты»");
    let ctx = SlipContext::new(&s, None, at);
    assert!(ctx.header.is_empty());
}

#[test]
fn the_png_is_as_wide_as_the_paper_and_its_qr_code_scans() {
    let fonts = printer_sim::Fonts::load_default().expect("fonts-dejavu-core is installed");
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("printer-slips");
    std::fs::create_dir_all(&out).unwrap();
    for (paper, t) in paper_and_types() {
        let bytes = render(&slip(t), &format(paper, Language::Ru));
        let png = printer_sim::render_png(&read_back(&bytes, paper), &fonts).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!(img.width(), paper.dots(), "{paper:?}");
        assert!(img.height() > 600, "{paper:?}: {} px tall", img.height());
        // Ink on the paper: the picture is not blank.
        let dark = img.to_luma8().pixels().filter(|p| p.0[0] < 128).count();
        assert!(dark > 5_000, "{paper:?}: {dark} dark pixels");
        // The QR code in the picture scans to the order's status page.
        let mut prepared = rqrr::PreparedImage::prepare(img.to_luma8());
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "{paper:?}: QR codes found");
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(
            content,
            format!("https://status.example.ru/o/{}", fixtures::ORDER_ID)
        );
        std::fs::write(out.join(format!("{paper:?}-{t:?}.png")), png).unwrap();
    }
}

#[test]
fn a_slip_survives_storage_for_a_reprint() {
    let s = slip(OrderType::Takeaway);
    let json = serde_json::to_string(&s).unwrap();
    let back: Slip = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert!(json.contains(r#""total":"1253.30""#), "{json}");
}

mod any_order {
    //! Whatever the names, numbers and amounts, the layout never leaves a line for the printer
    //! to wrap, and the total is always on the slip.

    use kiosk_core::Money;
    use printer::layout::render;
    use printer::{Language, PaperWidth, SlipLine, SlipModifier};
    use proptest::prelude::*;

    use super::super::fixtures::{format, read_back, slip};
    use kiosk_core::cart::OrderType;

    fn words() -> impl Strategy<Value = String> {
        proptest::collection::vec("[а-яА-ЯёЁa-zA-Z0-9«»—]{1,30}", 1..8).prop_map(|w| w.join(" "))
    }

    fn money() -> impl Strategy<Value = Money> {
        (0i64..1_000_000_000).prop_map(Money::from_minor)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn lines_always_fit(
            number in "[A-Z0-9-]{1,14}",
            header in proptest::collection::vec(words(), 0..4),
            lines in proptest::collection::vec(
                (words(), 1u32..100, money(), proptest::collection::vec((words(), 1u32..10, money()), 0..3)),
                1..6,
            ),
            reference in "[A-Za-z0-9-]{0,70}",
            wide in any::<bool>(),
            takeaway in any::<bool>(),
        ) {
            let paper = if wide { PaperWidth::Mm80 } else { PaperWidth::Mm58 };
            let mut s = slip(if takeaway { OrderType::Takeaway } else { OrderType::EatIn });
            s.number = number.clone();
            s.pickup_number = takeaway.then(|| number.clone());
            s.header = header;
            s.lines = lines
                .into_iter()
                .map(|(name, qty, total, mods)| SlipLine {
                    name,
                    qty,
                    total,
                    modifiers: mods
                        .into_iter()
                        .map(|(name, qty, total)| SlipModifier { name, qty, total })
                        .collect(),
                })
                .collect();
            if let printer::SlipPayment::Paid { reference: r, .. } = &mut s.payment {
                *r = Some(reference);
            }
            let bytes = render(&s, &format(paper, Language::Ru));
            let doc = read_back(&bytes, paper);
            for l in doc.lines() {
                prop_assert!(l.columns() <= paper.columns(), "{:?}", l.text());
            }
            let lf = bytes.iter().filter(|b| **b == 0x0A).count();
            let fed: usize = bytes
                .windows(3)
                .filter(|w| w[0] == 0x1B && w[1] == b'd')
                .map(|w| usize::from(w[2]))
                .sum();
            prop_assert_eq!(doc.lines().count(), lf + fed);
            let total = s.total.to_string();
            prop_assert!(doc.lines().any(|l| l.text().ends_with(&total)));
            prop_assert_eq!(doc.cuts.len(), 1);
        }
    }
}

/// The number-only slip staff print for an order the kiosk did not take, on both widths.
#[test]
fn number_slips_on_both_widths() {
    for (paper, name) in [
        (PaperWidth::Mm58, "number_58_ru"),
        (PaperWidth::Mm80, "number_80_ru"),
    ] {
        let slip = printer::NumberSlip::new(
            "Стол 5",
            Some(OrderType::EatIn),
            fixtures::m("450"),
            &fixtures::context(),
        );
        let bytes = printer::layout::render_number(&slip, &format(paper, Language::Ru));
        let doc = read_back(&bytes, paper);
        for l in doc.lines() {
            assert!(l.columns() <= paper.columns(), "{paper:?}: {:?}", l.text());
        }
        let text = text_of(&bytes, paper);
        insta::assert_snapshot!(name, text);
        assert!(text.contains("В ЗАЛЕ"));
        let total = text.lines().find(|l| l.starts_with("ИТОГО")).unwrap();
        assert!(total.ends_with("450.00"));
        assert_eq!(total.chars().count(), paper.columns());
    }
}
