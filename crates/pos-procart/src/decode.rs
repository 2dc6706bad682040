//! Bytes of a 2xx answer → wire types → the core's types.
//!
//! The live client, the fixture tests and the fuzz targets all go through these functions, so
//! what the fuzzer proves (no panic on any input, every failure a typed error) holds for real
//! answers too. A 2xx body can still be an error (§4.7: `success:false`, `valid:false`, ...);
//! that check happens here, before the body is read as the expected type.

use kiosk_core::catalog::Catalog;
use kiosk_core::order::{PosInfo, PosOrder};
use kiosk_core::pricing::Quote;
use kiosk_core::PosError;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error;
use crate::mapping;
use crate::wire::{
    body_signals_error, MenuResponse, OrdersResponse, PingResponse, PricedOrder, WireOrder,
};

/// A typed answer together with the JSON it came from, for fields this crate did not anticipate.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    pub data: T,
    pub raw: Value,
}

/// Parses a 2xx body as JSON and turns an in-band error report into an error.
pub fn json_body(body: &[u8]) -> Result<Value, PosError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(PosError::Malformed("the answer is empty".into()));
    }
    let raw: Value = serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            PosError::Malformed(format!("the answer is cut off: {e}"))
        } else {
            PosError::Malformed(format!("the answer is not JSON: {e}"))
        }
    })?;
    if body_signals_error(&raw) {
        return Err(error::from_error_body(&raw));
    }
    Ok(raw)
}

/// Reads an already parsed body as the wire type `T`.
pub fn wire<T: DeserializeOwned>(raw: &Value, what: &str) -> Result<T, PosError> {
    T::deserialize(raw)
        .map_err(|e| PosError::Malformed(format!("the {what} answer does not fit: {e}")))
}

/// [`json_body`] then [`wire`], keeping the raw JSON.
pub fn answer<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<Answer<T>, PosError> {
    let raw = json_body(body)?;
    let data = wire(&raw, what)?;
    Ok(Answer { data, raw })
}

/// A `/getmenu` body → the catalog, checked, with its faults.
///
/// Menus are big (20,000 dishes is a 9 MB body), so the usual answer is read straight from the
/// bytes into the wire types, with no `Value` tree of the whole document. Anything unusual, an
/// in-band error report, a menu without a version (whose version is derived from the JSON), a
/// body that does not read, takes the general path, which classifies it exactly as before.
pub fn decode_menu(body: &[u8]) -> Result<Catalog, PosError> {
    if let Ok(menu) = serde_json::from_slice::<MenuResponse>(body) {
        let reports_error = ["success", "result", "valid", "error"]
            .iter()
            .any(|k| menu.extra.contains_key(*k));
        let versioned = menu
            .menu_version
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty());
        if versioned && !reports_error {
            return Ok(mapping::catalog(&menu, &Value::Null));
        }
    }
    let a: Answer<MenuResponse> = answer(body, "getmenu")?;
    Ok(mapping::catalog(&a.data, &a.raw))
}

/// A `/validate` body → the POS's quote.
pub fn decode_quote(body: &[u8]) -> Result<Quote, PosError> {
    let a: Answer<PricedOrder> = answer(body, "validate")?;
    mapping::quote(&a.data)
}

/// A `/postorder` or `/close` body → the order.
pub fn decode_order(body: &[u8]) -> Result<PosOrder, PosError> {
    let a: Answer<WireOrder> = answer(body, "order")?;
    mapping::order(&a.data)
}

/// A `/getorders` body → the orders.
pub fn decode_orders(body: &[u8]) -> Result<Vec<PosOrder>, PosError> {
    let a: Answer<OrdersResponse> = answer(body, "getorders")?;
    a.data.orders.iter().map(mapping::order).collect()
}

/// A `/ping` body → the health report (latency unknown here: 0).
pub fn decode_ping(body: &[u8]) -> Result<PosInfo, PosError> {
    let a: Answer<PingResponse> = answer(body, "ping")?;
    Ok(mapping::pos_info(&a.data, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `decode_menu` returned before its fast path: the `Value` tree, then the wire types.
    fn general(body: &[u8]) -> Result<Catalog, PosError> {
        let a: Answer<MenuResponse> = answer(body, "getmenu")?;
        Ok(mapping::catalog(&a.data, &a.raw))
    }

    const MENU: &str = r#"{"menu_version":"7","price_type":{"code":1,"name":"Основной"},
        "categories":[{"code":10,"name":"Бургеры","parentCode":0},{"code":"20","name":"Напитки","image":"http://p/20.jpg"}],
        "dishes":[
          {"code":1001,"name":"Чизбургер","category_code":"10","price":"199.90","remains":5,"tags":["hit",7],
           "portion":{"value":180,"unit":"г"},"modifierSchemeCode":1,"imageUrl":"http://p/1001.jpg","x-extra":true},
          {"code":{"bad":1},"name":"Сломанное"},
          {"code":1002,"price":99.5,"remains":0,"portion":"0,5 л","sort":"3"},
          {"code":1003,"name":"Без цены","categoryCode":20}
        ],
        "modifierSchemes":[{"code":1,"groups":[{"code":11,"min":1,"max":1,
          "modifiers":[{"code":2002,"name":"Сыр","price":30,"isAuto":"no"},{"code":"","name":"пустой"}]}]}],
        "combos":[{"code":3001,"name":"Обед","price":349,"groups":[{"code":31,
          "items":[{"dishCode":1001},{"dish_code":9999,"priceDelta":"10"}]}]}],
        "unknown":{"x":1}}"#;

    #[test]
    fn the_fast_path_reads_a_menu_exactly_like_the_general_one() {
        let fast = decode_menu(MENU.as_bytes()).unwrap();
        assert_eq!(fast, general(MENU.as_bytes()).unwrap());
        assert_eq!(fast.version, "7");
        // A bad entry is a fault, with serde's message but not its position inside the entry.
        let bad = fast
            .faults
            .iter()
            .find(|f| f.message.starts_with("left out"))
            .unwrap();
        assert!(!bad.message.contains(" at line "), "{}", bad.message);
    }

    #[test]
    fn anything_unusual_is_decided_by_the_general_path() {
        for body in [
            r#"{"success":false,"error":{"code":"CASH_SERVER_UNAVAILABLE","message":"Нет связи"}}"#,
            r#"{"dishes":[{"code":1,"name":"Без версии","price":1}]}"#,
            r#"{"menu_version":"1","version":"2","dishes":[]}"#,
            r#"{"menu_version":" ","dishes":[{"code":1,"name":"a","price":1}]}"#,
            r#"[{"code":1}]"#,
            r#"{"menu_version":"1","dishes":[{"code":1,"#,
            "",
        ] {
            assert_eq!(
                format!("{:?}", decode_menu(body.as_bytes())),
                format!("{:?}", general(body.as_bytes())),
                "{body}"
            );
        }
        let unversioned = decode_menu(br#"{"dishes":[{"code":1,"name":"a","price":1}]}"#);
        assert!(unversioned.unwrap().version.starts_with("content-"));
    }
}
