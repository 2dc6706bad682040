//! Orders held by the simulated r_keeper, and their status lifecycle (reference §6.12).
//!
//! ```text
//! deferred ──activate──▶ open ──precheck──▶ bill ──pay/close──▶ close
//!    │                    │  ◀──cancel_precheck─┘
//!    └──────delete────────┴──────delete──────────▶ deleted   (from deferred/open/bill)
//! open ──pay/close──▶ close
//! ```
//! `close` and `deleted` are terminal. Transitions return the previous status so the caller can
//! push a callback; the store itself does no IO, which keeps every transition a short critical
//! section under one mutex.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::procart::wire::{CustomerReq, OrderAdminExtra, OrderResp, PaymentReq, PricedOrder};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Deferred,
    Open,
    Bill,
    Close,
    Deleted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Deferred => "deferred",
            Status::Open => "open",
            Status::Bill => "bill",
            Status::Close => "close",
            Status::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s.trim().to_ascii_lowercase().as_str() {
            "deferred" => Some(Status::Deferred),
            "open" => Some(Status::Open),
            "bill" => Some(Status::Bill),
            "close" | "closed" => Some(Status::Close),
            "deleted" => Some(Status::Deleted),
            _ => None,
        }
    }
}

/// A POS-side action on an order (the `/_sim/orders/{guid}/{action}` admin endpoints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    /// Print the pre-check: open → bill.
    Precheck,
    /// Pay at the POS: open/bill → close (the payment covers what is left).
    Pay,
    /// Delete: deferred/open/bill → deleted; remains come back.
    Delete,
    /// bill → open.
    CancelPrecheck,
    /// deferred → open.
    Activate,
}

impl OrderAction {
    pub fn parse(s: &str) -> Option<OrderAction> {
        match s {
            "precheck" => Some(OrderAction::Precheck),
            "pay" => Some(OrderAction::Pay),
            "delete" => Some(OrderAction::Delete),
            "cancel_precheck" => Some(OrderAction::CancelPrecheck),
            "activate" => Some(OrderAction::Activate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Order {
    pub guid: String,
    pub number: u64,
    pub token: String,
    pub external_id: Option<String>,
    pub status: Status,
    pub priced: PricedOrder,
    pub paid_sum: Decimal,
    pub payments: Vec<PaymentReq>,
    pub comment: Option<String>,
    pub short_comment: Option<String>,
    pub callback_url: Option<String>,
    pub customer: Option<CustomerReq>,
    pub deferred_until: Option<String>,
    pub guests_count: Option<i64>,
    pub order_type_code: Option<i64>,
    pub created: SystemTime,
    pub created_at: String,
    pub updated_at: String,
    /// What the order took from the remains, given back on delete.
    pub consumption: HashMap<i64, Decimal>,
}

impl Order {
    pub fn view(&self, admin: bool) -> OrderResp {
        let p = &self.priced;
        OrderResp {
            guid: self.guid.clone(),
            order_number: self.number.to_string(),
            external_id: self.external_id.clone(),
            status: self.status.as_str(),
            table_code: p.table_code,
            order_category_code: p.order_category_code,
            valid: true,
            items: p.items.clone(),
            discounts: p.discounts.clone(),
            markups: p.markups.clone(),
            sum: p.sum,
            discount_sum: p.discount_sum,
            markup_sum: p.markup_sum,
            total: p.total,
            paid_sum: self.paid_sum,
            payments: self.payments.clone(),
            comment: self.comment.clone(),
            short_comment: self.short_comment.clone(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            sim: admin.then(|| OrderAdminExtra {
                token: self.token.clone(),
                callback_url: self.callback_url.clone(),
                customer: self.customer.clone(),
                deferred_until: self.deferred_until.clone(),
                guests_count: self.guests_count,
                order_type_code: self.order_type_code,
            }),
        }
    }
}

/// Result of a transition attempt.
#[derive(Debug)]
pub enum TransitionError {
    NotFound,
    InvalidState(Status),
}

/// Braces off, upper case: GUIDs are compared this way (§4.2).
pub fn normalize_guid(g: &str) -> String {
    g.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_uppercase()
}

pub fn new_guid() -> String {
    format!(
        "{{{}}}",
        uuid::Uuid::new_v4()
            .hyphenated()
            .to_string()
            .to_ascii_uppercase()
    )
}

pub struct Orders {
    pub list: Vec<Order>,
    by_guid: HashMap<String, usize>,
    next_number: u64,
}

impl Orders {
    pub fn new(first_number: u64) -> Orders {
        Orders {
            list: Vec::new(),
            by_guid: HashMap::new(),
            next_number: first_number,
        }
    }

    pub fn next_number(&mut self) -> u64 {
        let n = self.next_number;
        self.next_number += 1;
        n
    }

    pub fn insert(&mut self, order: Order) {
        self.by_guid
            .insert(normalize_guid(&order.guid), self.list.len());
        self.list.push(order);
    }

    pub fn get(&self, guid: &str) -> Option<&Order> {
        self.by_guid
            .get(&normalize_guid(guid))
            .map(|&i| &self.list[i])
    }

    pub fn get_mut(&mut self, guid: &str) -> Option<&mut Order> {
        match self.by_guid.get(&normalize_guid(guid)) {
            Some(&i) => Some(&mut self.list[i]),
            None => None,
        }
    }

    pub fn by_external_id(&self, token: &str, external_id: &str) -> Option<&Order> {
        self.list
            .iter()
            .find(|o| o.token == token && o.external_id.as_deref() == Some(external_id))
    }

    /// This token's orders created within `window`.
    pub fn recent(&self, token: &str, window: Duration) -> Vec<&Order> {
        let now = SystemTime::now();
        self.list
            .iter()
            .filter(|o| o.token == token)
            .filter(|o| {
                now.duration_since(o.created)
                    .map(|age| age <= window)
                    .unwrap_or(true)
            })
            .collect()
    }

    /// Applies a POS-side action; returns (previous status, new status).
    pub fn transition(
        &mut self,
        guid: &str,
        action: OrderAction,
    ) -> Result<(Status, Status), TransitionError> {
        let order = self.get_mut(guid).ok_or(TransitionError::NotFound)?;
        let from = order.status;
        let to = match (action, from) {
            (OrderAction::Precheck, Status::Open) => Status::Bill,
            (OrderAction::CancelPrecheck, Status::Bill) => Status::Open,
            (OrderAction::Activate, Status::Deferred) => Status::Open,
            (OrderAction::Pay, Status::Open | Status::Bill) => Status::Close,
            (OrderAction::Delete, Status::Deferred | Status::Open | Status::Bill) => {
                Status::Deleted
            }
            _ => return Err(TransitionError::InvalidState(from)),
        };
        if action == OrderAction::Pay && order.paid_sum < order.priced.total {
            // Paid at the POS: the cashier takes what is left.
            let rest = order.priced.total - order.paid_sum;
            order.payments.push(PaymentReq {
                currency_code: 1,
                amount: rest,
                transaction_id: None,
                auth_code: None,
                card_mask: None,
                rrn: None,
                paid_at: Some(crate::clock::now_local_string()),
            });
            order.paid_sum = order.priced.total;
        }
        order.status = to;
        order.updated_at = crate::clock::now_local_string();
        Ok((from, to))
    }
}
