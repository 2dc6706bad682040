//! The slip's words in each language the kiosk prints in.
//!
//! A table of static strings rather than a translation framework: the slip has a dozen fixed
//! words, and a missing one must be a compile error, not a blank on paper.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Ru,
    En,
}

/// Every fixed text of the slip.
#[derive(Debug)]
pub struct Texts {
    /// Above the big number.
    pub order: &'static str,
    /// Above the big number when it is also the pickup number.
    pub pickup_number: &'static str,
    pub eat_in: &'static str,
    pub takeaway: &'static str,
    /// "Pickup number: 17", when it differs from the order number.
    pub pickup_label: &'static str,
    pub subtotal: &'static str,
    pub discount: &'static str,
    pub markup: &'static str,
    pub total: &'static str,
    /// The total's label when the guest still has to pay at the counter.
    pub to_pay: &'static str,
    pub paid: &'static str,
    pub card: &'static str,
    pub auth_code: &'static str,
    pub reference: &'static str,
    pub pay_at_counter: &'static str,
    pub qr_caption: &'static str,
    pub thanks: &'static str,
    /// On a slip printed again from the staff screens.
    pub copy: &'static str,
}

const RU: Texts = Texts {
    order: "ЗАКАЗ",
    pickup_number: "НОМЕР ВЫДАЧИ",
    eat_in: "В ЗАЛЕ",
    takeaway: "С СОБОЙ",
    pickup_label: "Номер выдачи",
    subtotal: "Сумма",
    discount: "Скидка",
    markup: "Наценка",
    total: "ИТОГО",
    to_pay: "К ОПЛАТЕ",
    paid: "Оплачено",
    card: "Карта",
    auth_code: "Код авторизации",
    reference: "Операция",
    pay_at_counter: "Оплатите заказ на кассе",
    qr_caption: "Статус заказа - по QR-коду",
    thanks: "Спасибо за заказ!",
    copy: "КОПИЯ",
};

const EN: Texts = Texts {
    order: "ORDER",
    pickup_number: "PICKUP NUMBER",
    eat_in: "EAT IN",
    takeaway: "TAKEAWAY",
    pickup_label: "Pickup number",
    subtotal: "Subtotal",
    discount: "Discount",
    markup: "Surcharge",
    total: "TOTAL",
    to_pay: "TO PAY",
    paid: "Paid",
    card: "Card",
    auth_code: "Auth code",
    reference: "Reference",
    pay_at_counter: "Please pay at the counter",
    qr_caption: "Scan to follow your order",
    thanks: "Thank you!",
    copy: "COPY",
};

impl Language {
    pub fn texts(self) -> &'static Texts {
        match self {
            Language::Ru => &RU,
            Language::En => &EN,
        }
    }
}
