//! The ProCart methods (reference §5): what each one checks, changes and answers.
//!
//! Handlers are synchronous wherever they can be (only `/getmenu` waits, for its simulated
//! latency): each takes the locks it needs, does its work and builds the answer, so no lock is
//! held across an await. `/postorder` holds the menu and the order book together, which makes
//! "check remains, check idempotency, decrement, create" one atomic step even under concurrent
//! kiosks.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rust_decimal::Decimal;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::error::ApiError;
use crate::faults::{sleep_or_stop, Conditions};
use crate::menu::Menu;
use crate::money::{Amount, Qty};
use crate::procart::orders::{new_guid, Order, Status};
use crate::procart::pricing::{price_cart, PricingOptions};
use crate::procart::wire::*;
use crate::procart::{authorize, Req};
use crate::state::{lock, Sim};
use crate::{ErrorMode, PaidOrderBehaviour, PrintInfoFormat};

type Answer = Result<Response, ApiError>;

/// ±0.01 (§5.4).
fn tolerance() -> Decimal {
    Decimal::new(1, 2)
}

pub(crate) fn ping(sim: &Sim, req: &Req, cond: Conditions) -> Answer {
    let s = sim.settings();
    let token_valid = !cond.invalid_token && req.token().is_some_and(|t| s.tokens.contains(&t));
    let source_name = lock(&sim.menu).fixture.restaurant.source_name.clone();
    let body = PingResp {
        procart_version: s.procart_version,
        rk_version: s.rk_version,
        cash_server_available: !cond.cash_server_down,
        license: LicenseResp {
            valid: !cond.licence_expired,
            expires_at: s.licence_expires_at,
            message: cond
                .licence_expired
                .then(|| "Срок действия лицензии ProCart истёк".to_string()),
        },
        token_valid,
        source_name: token_valid.then_some(source_name).flatten(),
        server_time: crate::clock::now_local_string(),
    };
    Ok(Json(body).into_response())
}

pub(crate) async fn getmenu(sim: &Sim, req: &Req, cond: Conditions) -> Answer {
    authorize(sim, req, cond)?;
    let settings = sim.settings();
    let latency = if settings.getmenu_latency_realistic {
        // Uniform enough for a demo; no RNG dependency needed.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        500 + u64::from(nanos) % 1501
    } else {
        settings.getmenu_latency_ms
    };
    if latency > 0 {
        let mut stopping = sim.stopping.clone();
        sleep_or_stop(Duration::from_millis(latency), &mut stopping).await;
    }
    let base = req.base_url(sim);
    let body = {
        let menu = lock(&sim.menu);
        menu_response(&menu, &base)
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::Status {
        status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        code: "INTERNAL",
        detail: e.to_string(),
    })?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response())
}

fn kind_name(k: crate::fixture::AdjustmentKind) -> &'static str {
    match k {
        crate::fixture::AdjustmentKind::Percent => "percent",
        crate::fixture::AdjustmentKind::Fixed => "fixed",
        crate::fixture::AdjustmentKind::Open => "open",
    }
}

/// The `/getmenu` document (§5.2) from the live menu.
pub fn menu_response(menu: &Menu, base: &str) -> MenuResp {
    let fx = &menu.fixture;
    let code_names = |v: Vec<(i64, String)>| {
        v.into_iter()
            .map(|(code, name)| CodeName { code, name })
            .collect::<Vec<_>>()
    };
    MenuResp {
        menu_version: menu.version(),
        price_type: fx.price_type.as_ref().map(|p| CodeName {
            code: p.code,
            name: p.name.clone(),
        }),
        categories: fx
            .categories
            .iter()
            .map(|c| CategoryResp {
                code: c.code,
                name: c.name.clone(),
                parent_code: c.parent_code,
                sort: c.sort,
                image_url: Some(format!("{base}/images/category/{}.jpg", c.code)),
            })
            .collect(),
        dishes: fx
            .dishes
            .iter()
            .map(|d| DishResp {
                code: d.code,
                name: d.name.clone(),
                category_code: d.category_code,
                price: Amount(d.price),
                remains: d.remains.map(Qty),
                modifier_scheme_code: d.modifier_scheme_code,
                combo: None,
                description: d.description.clone(),
                image_url: Some(format!("{base}/images/dish/{}.jpg", d.code)),
                portion: d.portion.as_ref().map(|p| PortionResp {
                    value: Qty(p.value),
                    unit: p.unit.clone(),
                }),
                sort: d.sort,
                tags: d.tags.clone(),
            })
            .collect(),
        modifier_schemes: fx
            .modifier_schemes
            .iter()
            .map(|s| SchemeResp {
                code: s.code,
                name: s.name.clone(),
                groups: s
                    .groups
                    .iter()
                    .map(|g| GroupResp {
                        code: g.code,
                        name: g.name.clone(),
                        min: g.min,
                        max: g.max,
                        modifiers: g
                            .modifiers
                            .iter()
                            .map(|m| ModifierResp {
                                code: m.code,
                                name: m.name.clone(),
                                price: Amount(m.price),
                                max_quantity: m.max_quantity,
                                remains: m.remains.map(Qty),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        combos: fx
            .combos
            .iter()
            .map(|c| ComboResp {
                code: c.code,
                name: c.name.clone(),
                description: c.description.clone(),
                price: Amount(c.price),
                category_code: c.category_code,
                remains: c.remains.map(Qty),
                image_url: Some(format!("{base}/images/combo/{}.jpg", c.code)),
                sort: c.sort,
                tags: c.tags.clone(),
                groups: c
                    .groups
                    .iter()
                    .map(|g| ComboGroupResp {
                        code: g.code,
                        name: g.name.clone(),
                        min: g.min,
                        max: g.max,
                        default_dish_code: g.default_dish_code,
                        items: g
                            .items
                            .iter()
                            .map(|i| ComboItemResp {
                                dish_code: i.dish_code,
                                price_delta: Amount(i.price_delta),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        order_categories: code_names(
            fx.order_categories
                .iter()
                .map(|c| (c.code, c.name.clone()))
                .collect(),
        ),
        tables: code_names(fx.tables.iter().map(|t| (t.code, t.name.clone())).collect()),
        currencies: code_names(
            fx.currencies
                .iter()
                .map(|c| (c.code, c.name.clone()))
                .collect(),
        ),
        discounts: fx
            .discounts
            .iter()
            .map(|d| AdjustmentInfo {
                code: d.code,
                name: d.name.clone(),
                auto: d.auto,
                kind: kind_name(d.kind),
            })
            .collect(),
        markups: fx
            .markups
            .iter()
            .map(|d| AdjustmentInfo {
                code: d.code,
                name: d.name.clone(),
                auto: d.auto,
                kind: kind_name(d.kind),
            })
            .collect(),
    }
}

fn pricing_options(sim: &Sim) -> PricingOptions {
    let s = lock(&sim.settings);
    PricingOptions {
        procart_version: s.procart_version.clone(),
        strict_markups: s.strict_markups,
    }
}

pub(crate) fn validate(sim: &Sim, req: &Req, cond: Conditions) -> Answer {
    authorize(sim, req, cond)?;
    let cart: CartReq = req.json()?;
    let opts = pricing_options(sim);
    let result = {
        let menu = lock(&sim.menu);
        price_cart(&menu, &cart, &opts)
    };
    match result {
        Ok(priced) => Ok(Json(priced.order).into_response()),
        Err(problems) => {
            if sim.settings().error_mode == ErrorMode::ValidFalse {
                Ok(Json(InvalidResp {
                    valid: false,
                    errors: &problems,
                })
                .into_response())
            } else {
                Err(ApiError::from_problems(problems))
            }
        }
    }
}

/// `deferred_until` in the future? Accepts times with or without an offset (§4.4).
fn is_future(text: &str) -> Result<bool, ApiError> {
    let now = crate::clock::now();
    if let Ok(t) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(t > now);
    }
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let f2 = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t = PrimitiveDateTime::parse(text, &f)
        .or_else(|_| PrimitiveDateTime::parse(text, &f2))
        .map_err(|_| {
            ApiError::business(
                "VALIDATION_FAILED",
                format!("Некорректное время deferred_until: {text}"),
            )
        })?;
    Ok(t.assume_offset(now.offset()) > now)
}

fn check_payments(
    menu: &Menu,
    payments: &[PaymentReq],
    already_paid: Decimal,
    total: Decimal,
) -> Result<Decimal, ApiError> {
    let currencies = &menu.fixture.currencies;
    for p in payments {
        if !currencies.is_empty() && !currencies.iter().any(|c| c.code == p.currency_code) {
            return Err(ApiError::business(
                "UNKNOWN_CODE",
                format!("Неизвестная валюта (тип оплаты) {}", p.currency_code),
            ));
        }
        if p.amount <= Decimal::ZERO {
            return Err(ApiError::business(
                "VALIDATION_FAILED",
                "Сумма оплаты должна быть больше нуля",
            ));
        }
    }
    let paid: Decimal = payments.iter().map(|p| p.amount).sum();
    if (already_paid + paid - total).abs() > tolerance() {
        return Err(ApiError::business(
            "PAYMENT_MISMATCH",
            format!(
                "Сумма оплат {} не равна сумме заказа {}",
                Amount(already_paid + paid),
                Amount(total)
            ),
        ));
    }
    Ok(paid)
}

pub(crate) fn postorder(sim: &Sim, req: &Req, cond: Conditions) -> Answer {
    let token = authorize(sim, req, cond)?;
    let cart: CartReq = req.json()?;
    let settings = sim.settings();
    let opts = pricing_options(sim);
    let deferred = match cart
        .deferred_until
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        Some(t) => is_future(t.trim())?,
        None => false,
    };
    let external_id = cart.external_id.clone().filter(|e| !e.trim().is_empty());

    let mut menu = lock(&sim.menu);
    let mut orders = lock(&sim.orders);
    if settings.idempotency {
        if let Some(ext) = external_id.as_deref() {
            if let Some(existing) = orders.by_external_id(&token, ext) {
                tracing::info!(guid = %existing.guid, external_id = ext, "postorder repeated: same order");
                return Ok(Json(existing.view(false)).into_response());
            }
        }
    }
    let priced = price_cart(&menu, &cart, &opts).map_err(ApiError::from_problems)?;
    let total = priced.order.total;
    if let Some(expected) = cart.expected_total {
        if (expected - total).abs() > tolerance() {
            return Err(ApiError::business(
                "PAYMENT_MISMATCH",
                format!(
                    "Ожидаемая сумма {} не совпадает с суммой заказа {}",
                    Amount(expected),
                    Amount(total)
                ),
            ));
        }
    }
    let paid = if cart.payments.is_empty() {
        Decimal::ZERO
    } else {
        check_payments(&menu, &cart.payments, Decimal::ZERO, total)?
    };
    let status = if deferred {
        Status::Deferred
    } else if !cart.payments.is_empty()
        && settings.paid_order_behaviour == PaidOrderBehaviour::Close
    {
        Status::Close
    } else {
        Status::Open
    };

    menu.adjust_remains(&priced.consumption, -1);
    let now = crate::clock::now_local_string();
    let order = Order {
        guid: new_guid(),
        number: orders.next_number(),
        token,
        external_id,
        status,
        priced: priced.order,
        paid_sum: paid,
        payments: cart.payments.clone(),
        comment: cart.comment.clone().filter(|c| !c.is_empty()),
        // r_keeper's order comment holds 30 characters (§6.3): longer text is cut, not refused.
        short_comment: cart
            .short_comment
            .as_ref()
            .map(|c| c.chars().take(30).collect::<String>())
            .filter(|c| !c.is_empty()),
        callback_url: cart.callback_url.clone(),
        customer: cart.customer.clone(),
        deferred_until: cart.deferred_until.clone(),
        guests_count: cart.guests_count,
        order_type_code: cart.order_type_code,
        created: std::time::SystemTime::now(),
        created_at: now.clone(),
        updated_at: now,
        consumption: priced.consumption,
    };
    tracing::info!(guid = %order.guid, number = order.number, total = %Amount(order.priced.total), status = order.status.as_str(), "order created");
    let view = order.view(false);
    orders.insert(order);
    Ok(Json(view).into_response())
}

pub(crate) fn getorders(sim: &Sim, req: &Req, cond: Conditions) -> Answer {
    let token = authorize(sim, req, cond)?;
    let is_get = req.body.iter().all(|b| b.is_ascii_whitespace());
    let (mut guids, external_ids, single) = if is_get {
        let mut g = req.query_all("guid");
        g.extend(req.query_all("guids"));
        let e = {
            let mut e = req.query_all("external_id");
            e.extend(req.query_all("external_ids"));
            e
        };
        let single = g.len() == 1 && e.is_empty();
        (g, e, single)
    } else {
        let body: GetOrdersReq = req.json()?;
        (body.guids, body.external_ids, false)
    };
    if !is_get {
        if let Ok(b) = req.json::<GetOrdersReq>() {
            if let Some(g) = b.guid {
                guids.push(g);
            }
        }
    }
    let orders = lock(&sim.orders);
    let mut out: Vec<OrderResp> = Vec::new();
    if guids.is_empty() && external_ids.is_empty() {
        out = orders
            .recent(&token, Duration::from_secs(24 * 3600))
            .into_iter()
            .map(|o| o.view(false))
            .collect();
    } else {
        for g in &guids {
            if let Some(o) = orders.get(g).filter(|o| o.token == token) {
                if !out.iter().any(|x| x.guid == o.guid) {
                    out.push(o.view(false));
                }
            }
        }
        for e in &external_ids {
            for o in orders
                .list
                .iter()
                .filter(|o| o.token == token && o.external_id.as_deref() == Some(e.as_str()))
            {
                if !out.iter().any(|x| x.guid == o.guid) {
                    out.push(o.view(false));
                }
            }
        }
        if single && out.is_empty() {
            return Err(ApiError::NotFound(format!(
                "Заказ {} не найден",
                guids.first().cloned().unwrap_or_default()
            )));
        }
    }
    Ok(Json(OrdersResp { orders: out }).into_response())
}

pub(crate) fn close(sim: &Arc<Sim>, req: &Req, cond: Conditions) -> Answer {
    let token = authorize(sim, req, cond)?;
    let body: CloseReq = req.json()?;
    let (view, from) = {
        let menu = lock(&sim.menu);
        let mut orders = lock(&sim.orders);
        let order = orders
            .get_mut(&body.guid)
            .filter(|o| o.token == token)
            .ok_or_else(|| ApiError::NotFound(format!("Заказ {} не найден", body.guid)))?;
        let from = order.status;
        if !matches!(from, Status::Open | Status::Bill) {
            return Err(ApiError::invalid_state(format!(
                "Заказ {} в статусе {}: закрыть нельзя",
                order.guid,
                from.as_str()
            )));
        }
        let paid = check_payments(&menu, &body.payments, order.paid_sum, order.priced.total)?;
        order.paid_sum += paid;
        order.payments.extend(body.payments.iter().cloned());
        order.status = Status::Close;
        order.updated_at = crate::clock::now_local_string();
        (order.view(false), from)
    };
    crate::callbacks::status_changed(sim, &view, from, Status::Close);
    Ok(Json(view).into_response())
}

pub(crate) fn print_info(sim: &Sim, req: &Req, cond: Conditions) -> Answer {
    let settings = sim.settings();
    if settings.print_info_requires_token {
        authorize(sim, req, cond)?;
    }
    let guid = req
        .query_one("guid")
        .or_else(|| req.json::<GetOrdersReq>().ok().and_then(|b| b.guid))
        .filter(|g| !g.trim().is_empty())
        .ok_or_else(|| ApiError::BadRequest("Не указан guid заказа".to_string()))?;
    let comment = {
        let orders = lock(&sim.orders);
        let o = orders
            .get(&guid)
            .ok_or_else(|| ApiError::NotFound(format!("Заказ {guid} не найден")))?;
        o.comment.clone().unwrap_or_default()
    };
    let wants_json = req
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
        || settings.print_info_format == PrintInfoFormat::Json;
    if wants_json {
        Ok(Json(PrintInfoResp { guid, comment }).into_response())
    } else {
        Ok((
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            comment,
        )
            .into_response())
    }
}
