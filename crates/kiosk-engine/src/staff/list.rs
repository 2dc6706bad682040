//! The staff order list and one order's detail: the journal's checkouts merged with what the
//! POS lists, problems first, each row with the actions that fit it now. The rules are here, in
//! one place, so the screens never decide what an order needs.

use std::sync::atomic::Ordering;

use kiosk_core::checkout::CheckoutState;
use kiosk_core::order::OrderStatus;
use kiosk_core::pricing::Quote;
use kiosk_core::view::{
    StaffAction, StaffHandled, StaffHistoryEntry, StaffHistoryKind, StaffLockView,
    StaffOrderDetail, StaffOrderRef, StaffOrderRow, StaffOrderSource, StaffOrdersView,
    StaffProblem,
};

use super::session::Session;
use super::{
    age_since, norm, notice_reason, parse_rfc3339, Holder, PosRow, StaffDesk, StaffError,
    STUCK_AFTER_S,
};
use crate::journal::CheckoutRecord;
use crate::tracker::same_id;

impl StaffDesk {
    // -- the order list --------------------------------------------------------------------------

    pub(super) async fn pos_rows(
        &self,
        s: Option<&Session>,
        ids: &[String],
    ) -> (Vec<PosRow>, Option<String>) {
        let user = s.and_then(|s| s.pos_user.as_ref());
        match self.pos.orders(user, ids).await {
            Ok(rows) => (rows, None),
            Err(e) => (vec![], Some(e.to_string())),
        }
    }

    pub(super) fn holder(&self, pos_order_id: &str) -> Option<Holder> {
        self.locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&norm(pos_order_id))
            .cloned()
    }

    /// The POS actions an order admits, by the POS's capabilities and who holds its lock.
    fn pos_actions(&self, s: &Session, pos_order_id: &str, live: bool) -> Vec<StaffAction> {
        let caps = self.pos.capabilities();
        let mut out = vec![];
        if !live {
            if caps.print_info {
                out.push(StaffAction::PrintInfo);
            }
            return out;
        }
        if caps.lock {
            match self.holder(pos_order_id) {
                Some(h) if h.session == s.id => {
                    if caps.add_dishes {
                        out.push(StaffAction::AddDishes);
                    }
                    if caps.print_bill {
                        out.push(StaffAction::PrintBill);
                    }
                    if caps.add_client {
                        out.push(StaffAction::AddClient);
                    }
                    out.push(StaffAction::Unlock);
                }
                // Held by someone else on this kiosk: the row says who; nothing to do here.
                Some(_) => {}
                None => out.push(StaffAction::Lock),
            }
        }
        if caps.close {
            out.push(StaffAction::Close);
        }
        if caps.print_info {
            out.push(StaffAction::PrintInfo);
        }
        out
    }

    fn kiosk_row(
        &self,
        s: &Session,
        rec: &CheckoutRecord,
        pos: Option<&PosRow>,
        unhandled: bool,
    ) -> StaffOrderRow {
        let pos_status = pos
            .map(|p| p.order.status.clone())
            .or_else(|| rec.pos_status.as_deref().map(OrderStatus::parse));
        let paid = pos.and_then(|p| p.paid);
        let age_s = age_since(&rec.created_at);
        let reason = notice_reason(&rec.notice);
        let pos_final = pos_status.as_ref().is_some_and(OrderStatus::is_final);
        let handled = self.handled_mark(&rec.id);
        let problem = match rec.state {
            CheckoutState::NeedsStaff if unhandled => Some(match &rec.pos_order_id {
                // Submitted first and never paid: "NOT PAID – void order N", not a mismatch.
                Some(_) if rec.open_in_pos_unpaid() => StaffProblem::NeedsStaff { reason },
                Some(id) => StaffProblem::TotalMismatch {
                    pos_order_id: id.clone(),
                    reason,
                },
                None => StaffProblem::NeedsStaff { reason },
            }),
            CheckoutState::Refunding => Some(StaffProblem::Refunding { reason }),
            CheckoutState::Posting
                if rec.post_attempts >= 2 || age_s.is_some_and(|a| a >= STUCK_AFTER_S) =>
            {
                Some(StaffProblem::StuckSending {
                    attempts: rec.post_attempts,
                })
            }
            CheckoutState::Posted | CheckoutState::Tracking
                if rec.pay_at_counter
                    && !pos_final
                    && paid.is_none_or(|p| p < rec.total)
                    && handled.is_none() =>
            {
                Some(StaffProblem::UnpaidAtCounter)
            }
            _ => None,
        };
        let money_known = rec.receipt.is_some() || rec.pay_at_counter;
        let mut actions = vec![];
        match &problem {
            Some(StaffProblem::NeedsStaff { .. }) => {
                if money_known {
                    actions.push(StaffAction::RetrySend);
                }
                if rec.receipt.is_some() && self.checkouts.provider_for(rec).is_some() {
                    actions.push(StaffAction::Refund);
                }
                actions.push(StaffAction::MarkHandled);
            }
            Some(StaffProblem::TotalMismatch { .. }) => {
                if rec.receipt.is_some() && self.checkouts.provider_for(rec).is_some() {
                    actions.push(StaffAction::Refund);
                }
                actions.push(StaffAction::MarkHandled);
            }
            Some(StaffProblem::StuckSending { .. }) => actions.push(StaffAction::RetrySend),
            Some(StaffProblem::UnpaidAtCounter) => actions.push(StaffAction::MarkHandled),
            Some(StaffProblem::Refunding { .. }) | None => {}
        }
        if let Some(id) = &rec.pos_order_id {
            // An order the POS still has open can be worked on there; a kiosk order the POS
            // does not list (yet) only by its id.
            let live = !pos_final && !matches!(rec.state, CheckoutState::Completed);
            actions.extend(self.pos_actions(s, id, live));
        }
        actions.push(StaffAction::PrintNumber);
        StaffOrderRow {
            reference: StaffOrderRef::Checkout {
                checkout_id: rec.id.clone(),
            },
            source: StaffOrderSource::Kiosk,
            checkout_id: Some(rec.id.clone()),
            pos_order_id: rec.pos_order_id.clone(),
            number: rec.pos_number.clone().unwrap_or_else(|| rec.number.clone()),
            state: Some(rec.state),
            pos_status,
            total: rec.total,
            paid,
            pay_at_counter: rec.pay_at_counter,
            opened_at: Some(rec.created_at.clone()),
            age_s,
            problem,
            locked_by: rec
                .pos_order_id
                .as_deref()
                .and_then(|id| self.holder(id))
                .map(|h| h.who.name),
            // A NeedsStaff checkout still waiting has no mark; any other mark is shown.
            handled: handled.filter(|_| !unhandled),
            actions,
        }
    }

    fn pos_row(&self, s: &Session, p: &PosRow) -> StaffOrderRow {
        let live = !p.order.status.is_final();
        let mut actions = self.pos_actions(s, &p.order.pos_order_id, live);
        actions.push(StaffAction::PrintNumber);
        StaffOrderRow {
            reference: StaffOrderRef::Pos {
                pos_order_id: p.order.pos_order_id.clone(),
            },
            source: StaffOrderSource::Pos,
            checkout_id: None,
            pos_order_id: Some(p.order.pos_order_id.clone()),
            number: p
                .order
                .number
                .clone()
                .unwrap_or_else(|| p.order.pos_order_id.clone()),
            state: None,
            pos_status: Some(p.order.status.clone()),
            total: p.order.total,
            paid: p.paid,
            pay_at_counter: false,
            opened_at: p.opened_at.clone(),
            age_s: p.age_s,
            problem: None,
            locked_by: self.holder(&p.order.pos_order_id).map(|h| h.who.name),
            handled: None,
            actions,
        }
    }

    pub(super) fn marked_handled(&self, checkout_id: &str) -> bool {
        self.handled_mark(checkout_id).is_some()
    }

    /// The checkout's handled mark (the journal writes one per checkout), with who and why.
    pub(super) fn handled_mark(&self, checkout_id: &str) -> Option<StaffHandled> {
        self.checkouts
            .journal
            .staff_actions(Some(checkout_id), None)
            .ok()?
            .into_iter()
            .rev()
            .find(|a| a.action == "mark_handled")
            .map(|a| StaffHandled {
                by: a.staff,
                at: a.at,
                reason: a.detail.unwrap_or_default(),
            })
    }

    /// Every row: the kiosk's checkouts (with what the POS says of them) and the POS's other
    /// open orders.
    async fn rows(&self, s: &Session) -> Result<(Vec<StaffOrderRow>, Option<String>), StaffError> {
        let records = self.kiosk_records()?;
        let unhandled = self.unhandled()?;
        let ids: Vec<String> = records
            .iter()
            .filter_map(|r| r.pos_order_id.clone())
            .collect();
        let (pos_rows, pos_error) = self.pos_rows(Some(s), &ids).await;
        let mut used = vec![false; pos_rows.len()];
        let mut rows = Vec::new();
        for rec in &records {
            let m = rec.pos_order_id.as_deref().and_then(|id| {
                pos_rows
                    .iter()
                    .position(|p| same_id(&p.order.pos_order_id, id))
            });
            if let Some(i) = m {
                used[i] = true;
            }
            rows.push(self.kiosk_row(s, rec, m.map(|i| &pos_rows[i]), unhandled.contains(&rec.id)));
        }
        for (i, p) in pos_rows.iter().enumerate() {
            if used[i] || p.order.status.is_final() {
                continue;
            }
            // A kiosk order the POS lists by our external id (ProCart) belongs to its checkout.
            let ours = p
                .order
                .external_id
                .as_deref()
                .is_some_and(|e| records.iter().any(|r| r.external_id == e));
            if !ours {
                rows.push(self.pos_row(s, p));
            }
        }
        Ok((rows, pos_error))
    }

    /// The staff order list: problems first (oldest first), then the rest (newest first).
    /// A read: it does not keep the session alive (see `authorize_read`).
    pub async fn orders(&self, session: &str) -> Result<StaffOrdersView, StaffError> {
        let s = self.authorize_read(session).await?;
        let (rows, pos_error) = self.rows(&s).await?;
        let (mut problems, mut orders): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|r| r.problem.is_some());
        problems.sort_by_key(|r| std::cmp::Reverse(r.age_s));
        orders.sort_by(|a, b| match (a.age_s, b.age_s) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.number.cmp(&b.number),
        });
        Ok(StaffOrdersView {
            problems,
            orders,
            pos_error,
            revision: self.revision.load(Ordering::SeqCst),
            printer: self.engine.printer_alert(),
        })
    }

    /// One order with its lines and history.
    pub async fn order(
        &self,
        session: &str,
        order: StaffOrderRef,
    ) -> Result<StaffOrderDetail, StaffError> {
        let s = self.authorize_read(session).await?;
        self.detail(&s, &order).await
    }

    pub(super) async fn detail(
        &self,
        s: &Session,
        order: &StaffOrderRef,
    ) -> Result<StaffOrderDetail, StaffError> {
        let j = &self.checkouts.journal;
        let rec = match order {
            StaffOrderRef::Checkout { checkout_id } => Some(j.get(checkout_id)?),
            StaffOrderRef::Pos { pos_order_id } => self.checkout_for_pos(pos_order_id),
        };
        let pos_id = match (order, &rec) {
            (_, Some(r)) => r.pos_order_id.clone(),
            (StaffOrderRef::Pos { pos_order_id }, None) => Some(pos_order_id.clone()),
            _ => None,
        };
        let ids: Vec<String> = pos_id.iter().cloned().collect();
        let (pos_rows, _) = self.pos_rows(Some(s), &ids).await;
        let pos = pos_id.as_deref().and_then(|id| {
            pos_rows
                .iter()
                .find(|p| same_id(&p.order.pos_order_id, id))
                .cloned()
        });
        let copy = pos_id.as_deref().and_then(|id| self.pos.copy(id));
        let row = match &rec {
            Some(r) => {
                let unhandled = self.unhandled()?.contains(&r.id);
                self.kiosk_row(s, r, pos.as_ref(), unhandled)
            }
            None => {
                let p = pos
                    .clone()
                    .or_else(|| {
                        copy.as_ref().map(|c| PosRow {
                            order: c.order.clone(),
                            paid: Some(c.order.paid),
                            opened_at: None,
                            age_s: None,
                        })
                    })
                    .ok_or_else(|| {
                        StaffError::NotFound(format!(
                            "order {} is not among the POS's open orders",
                            pos_id.as_deref().unwrap_or("?")
                        ))
                    })?;
                self.pos_row(s, &p)
            }
        };
        let quote: Option<Quote> = copy
            .as_ref()
            .and_then(|c| c.order.quote.clone())
            .or_else(|| pos.as_ref().and_then(|p| p.order.quote.clone()))
            .or_else(|| rec.as_ref().map(|r| r.quote.clone()));
        let mut history = vec![];
        if let Some(r) = &rec {
            for t in j.history(&r.id)? {
                history.push(StaffHistoryEntry {
                    at: t.at,
                    kind: StaffHistoryKind::State,
                    staff: None,
                    what: t.to,
                    detail: t.detail,
                });
            }
        }
        for a in j.staff_actions(rec.as_ref().map(|r| r.id.as_str()), pos_id.as_deref())? {
            history.push(StaffHistoryEntry {
                at: a.at,
                kind: StaffHistoryKind::Staff,
                staff: Some(a.staff),
                what: a.action,
                detail: a.detail,
            });
        }
        if let Some(r) = &rec {
            for p in j.prints(&r.id)? {
                history.push(crate::printing::history_entry(p));
            }
        }
        // Both are RFC 3339 UTC but with varying fractions, so they are compared as instants;
        // the sort is stable, so entries of one instant keep the journal's order.
        history.sort_by_key(|h| parse_rfc3339(&h.at));
        let now = self.sessions.clock_now();
        let lock = pos_id
            .as_deref()
            .and_then(|id| self.holder(id))
            .map(|h| StaffLockView {
                mine: h.session == s.id,
                held_by: h.who.name.clone(),
                since_s: now.saturating_sub(h.since).as_secs(),
            });
        Ok(StaffOrderDetail {
            row,
            quote,
            external_id: rec.as_ref().map(|r| r.external_id.clone()),
            notice: rec.as_ref().and_then(|r| r.notice.clone()),
            payment: rec.as_ref().and_then(|r| r.receipt.clone()),
            client: copy.and_then(|c| c.client),
            lock,
            history,
        })
    }
}
