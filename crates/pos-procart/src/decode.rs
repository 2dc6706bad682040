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
pub fn decode_menu(body: &[u8]) -> Result<Catalog, PosError> {
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
