//! One realistic order (Russian names, modifiers, a combo, a discount and a markup, a card
//! payment) and helpers that read printed bytes back through the simulator's interpreter.

use kiosk_core::cart::OrderType;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::order::OrderStatus;
use kiosk_core::payment::PaymentReceipt;
use kiosk_core::pricing::{
    Adjustment, AdjustmentKind, Quote, QuoteLine, QuoteModifier, QuoteSource,
};
use kiosk_core::view::OrderView;
use kiosk_core::Money;
use printer::{CodePage, Language, PaperWidth, PrinterSettings, Slip, SlipContext, SlipFormat};
use time::macros::datetime;

pub const STATUS_URL: &str = "https://status.example.ru/o/{order_id}";
pub const ORDER_ID: &str = "5f2c9a1be7d04c3e";
/// What the provider put in `card_mask`: its first six digits must never be printed.
pub const CARD_MASK: &str = "220220******4417";

pub fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn modifier(id: &str, name: &str, qty: u32, total: &str) -> QuoteModifier {
    QuoteModifier {
        id: id.into(),
        name: name.into(),
        qty,
        total: m(total),
    }
}

pub fn quote() -> Quote {
    Quote {
        source: QuoteSource::Pos,
        lines: vec![
            QuoteLine {
                dish: "1001".into(),
                name: "Чизбургер двойной".into(),
                qty: 2,
                unit_price: m("249"),
                modifiers: vec![
                    modifier("2001", "Сыр чеддер", 1, "60"),
                    modifier("2002", "Бекон", 2, "180"),
                ],
                total: m("738"),
            },
            QuoteLine {
                dish: "3001".into(),
                name: "Комбо «Обед» с картофелем фри и напитком".into(),
                qty: 1,
                unit_price: m("449"),
                modifiers: vec![
                    modifier("1201", "Кола 0,5 л", 1, "0"),
                    modifier("2101", "Соус сырный", 1, "30"),
                ],
                total: m("479"),
            },
            QuoteLine {
                dish: "1102".into(),
                name: "Морс клюквенный".into(),
                qty: 1,
                unit_price: m("120"),
                modifiers: vec![],
                total: m("120"),
            },
        ],
        adjustments: vec![
            Adjustment {
                kind: AdjustmentKind::Discount,
                name: "Скидка по карте гостя 10%".into(),
                amount: m("-133.70"),
                auto: true,
            },
            Adjustment {
                kind: AdjustmentKind::Markup,
                name: String::new(),
                amount: m("50"),
                auto: true,
            },
        ],
        subtotal: m("1337"),
        total: m("1253.30"),
    }
}

pub fn order(order_type: OrderType) -> OrderView {
    OrderView {
        checkout_id: ORDER_ID.into(),
        number: "47".into(),
        state: CheckoutState::Posted,
        pos_order_id: Some("1047".into()),
        pos_status: Some(OrderStatus::Open),
        total: m("1253.30"),
        order_type,
        pay_at_counter: false,
        notice: None,
        slip: kiosk_core::view::SlipStatus::Printing,
    }
}

pub fn receipt() -> PaymentReceipt {
    PaymentReceipt {
        provider: "simulator".into(),
        attempt_id: format!("{ORDER_ID}-1"),
        transaction_id: "TXN-20261123-000731".into(),
        auth_code: Some("A1B2C3".into()),
        card_mask: Some(CARD_MASK.into()),
        amount: m("1253.30"),
        paid_at: "2026-11-23T14:05:09+03:00".into(),
    }
}

pub fn settings() -> PrinterSettings {
    let mut s = PrinterSettings::network("127.0.0.1");
    s.header = vec![
        "Бургерная «Две котлеты»".into(),
        "ул. Пушкина, д. 10, Москва".into(),
        "ИНН 7701234567".into(),
    ];
    s.status_url = Some(STATUS_URL.into());
    s
}

pub fn context() -> SlipContext {
    SlipContext::new(&settings(), None, datetime!(2026-11-23 14:05 +3))
}

pub fn slip(order_type: OrderType) -> Slip {
    Slip::from_order(&order(order_type), &quote(), Some(&receipt()), &context())
}

pub fn format(paper: PaperWidth, language: Language) -> SlipFormat {
    SlipFormat::new(paper, CodePage::Cp866, language)
}

pub fn dots(paper: PaperWidth) -> u32 {
    paper.dots()
}

/// The bytes as the simulated printer reads them, insisting that it understood every byte.
pub fn read_back(bytes: &[u8], paper: PaperWidth) -> printer_sim::Document {
    let doc = printer_sim::interpret(bytes, dots(paper));
    assert!(
        doc.warnings.is_empty(),
        "interpreter warnings: {:?}",
        doc.warnings
    );
    doc
}

pub fn text_of(bytes: &[u8], paper: PaperWidth) -> String {
    printer_sim::to_text(&read_back(bytes, paper))
}
