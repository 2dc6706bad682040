//! The staff actions: on the kiosk's checkouts (retry sending, mark handled, refund, print the
//! number) and on POS orders (lock, add dishes, bill, loyalty client, close, print_info).
//!
//! Each one is journaled before its side effect and its result after (`StaffDesk::act`), and
//! each refuses, with the reason, what does not fit the order now.

use kiosk_core::cart::CartLine;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::order::PosOrder;
use kiosk_core::view::{StaffCapabilities, StaffClosePayment, StaffOrderRef, StaffOutcome};
use kiosk_core::Money;
use pos_jupiter::Secret;

use super::session::Session;
use super::{
    norm, pos_ref, rfc3339, BusyGuard, ClosePayment, Holder, LockAnswer, NumberTicket, On,
    PrintResult, StaffDesk, StaffError,
};
use crate::journal::{Changes, CheckoutRecord, JournalError};
use crate::tracker::same_id;

impl StaffDesk {
    // -- actions on the kiosk's checkouts ----------------------------------------------------------

    /// A checkout reserved for one staff action: two tablets never refund or resend the same
    /// checkout at once. The record is read once the reservation is held.
    fn reserve(&self, checkout_id: &str) -> Result<(BusyGuard<'_>, CheckoutRecord), StaffError> {
        let busy = self.busy(checkout_id)?;
        let rec = self.checkouts.journal.get(checkout_id)?;
        Ok((busy, rec))
    }

    /// Whether the checkout is handed to staff and nobody has settled it yet.
    fn waiting_for_staff(&self, rec: &CheckoutRecord) -> Result<bool, StaffError> {
        Ok(rec.state == CheckoutState::NeedsStaff && self.unhandled()?.contains(&rec.id))
    }

    /// Sends a checkout's order to the POS again, after looking it up there: a `NeedsStaff`
    /// checkout not yet handled, or one still `Posting`. Sends only when the POS surely lacks
    /// the order, or has it incomplete and merges a resend (Jupiter). For a `Posting` checkout
    /// on a POS that does not merge (ProCart) the kiosk's own sender may be posting at this
    /// very moment, so staff get the lookup's answer but never a parallel post.
    pub async fn retry_send(
        &self,
        session: &str,
        checkout_id: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self.authorize(session).await?;
        let (_busy, rec) = self.reserve(checkout_id)?;
        if !self.waiting_for_staff(&rec)? && rec.state != CheckoutState::Posting {
            return Err(StaffError::NotApplicable(format!(
                "only a checkout waiting for staff or still being sent can be sent again; this one is {}",
                rec.state.as_str()
            )));
        }
        if rec.receipt.is_none() && !rec.pay_at_counter {
            return Err(StaffError::NotApplicable(
                "the payment's outcome is unknown: check the terminal before sending the order"
                    .into(),
            ));
        }
        let detail = format!(
            "{} after {} attempts; looking up {} in the POS first",
            rec.state.as_str(),
            rec.post_attempts,
            rec.external_id
        );
        self.act(
            &s,
            On::Checkout(&rec),
            "retry_send",
            &detail,
            self.resend(&s, rec.clone()),
        )
        .await
    }

    async fn resend(&self, s: &Session, rec: CheckoutRecord) -> Result<StaffOutcome, StaffError> {
        let pos = &self.engine.pos;
        // An error here means "cannot tell": nothing is sent.
        let found = pos.find_order(&rec.external_id).await?;
        match found {
            Some(o) if rec.pay_at_counter || o.paid >= rec.total => {
                let note = if rec.state == CheckoutState::Posting {
                    self.posted(&rec, &o, "found in the POS by staff")?;
                    "recorded as sent".to_string()
                } else {
                    "nothing to send: mark the checkout handled once the guest has the order"
                        .to_string()
                };
                Ok(StaffOutcome::AlreadyInPos { order: o, note })
            }
            Some(o) if !pos.resend_is_safe() => Ok(StaffOutcome::AlreadyInPos {
                order: o,
                note: "the POS has the order without the kiosk's payment: close it with the payment, or refund"
                    .into(),
            }),
            _ if rec.state == CheckoutState::Posting && !pos.resend_is_safe() => {
                Ok(StaffOutcome::StillSending {
                    attempts: rec.post_attempts,
                })
            }
            _ => {
                // Surely absent, or there unfinished on a POS that merges a resend.
                let rec = self.to_posting(&rec)?;
                let menu = self.engine.menu.get().await.map_err(|e| {
                    StaffError::NotApplicable(format!("no menu to send the order with: {e}"))
                })?;
                let req = self.checkouts.request(&rec);
                let o = pos.place_order(&menu.catalog, &req).await?;
                if rec.state == CheckoutState::Posting {
                    self.posted(&rec, &o, "sent by staff")?;
                } else {
                    // The state machine keeps `NeedsStaff` final, so the checkout cannot
                    // become `Posted`; the mark takes it off the problem list and says where
                    // the order went.
                    let reason = format!(
                        "sent to the POS by staff as order {} (number {})",
                        o.pos_order_id,
                        o.number.as_deref().unwrap_or("-")
                    );
                    self.checkouts
                        .journal
                        .mark_handled(&rec.id, &s.who.label(), &reason)?;
                }
                Ok(StaffOutcome::Sent {
                    pos_order_id: o.pos_order_id,
                    number: o.number,
                })
            }
        }
    }

    /// Journals a new post attempt, when the state machine allows one from the checkout's state.
    fn to_posting(&self, rec: &CheckoutRecord) -> Result<CheckoutRecord, StaffError> {
        if !rec.state.can_go_to(CheckoutState::Posting) {
            return Ok(rec.clone());
        }
        let next = self.checkouts.journal.transition(
            &rec.id,
            rec.state,
            CheckoutState::Posting,
            Changes {
                count_post_attempt: true,
                ..Default::default()
            },
            Some("sent again by staff"),
        )?;
        self.checkouts.republish(&next);
        Ok(next)
    }

    /// `Posting` → `Posted` with what the POS answered. The kiosk's own sender may record it
    /// first: then the journal refuses the stale step, and that is fine.
    fn posted(&self, rec: &CheckoutRecord, o: &PosOrder, why: &str) -> Result<(), StaffError> {
        let r = self.checkouts.journal.transition(
            &rec.id,
            CheckoutState::Posting,
            CheckoutState::Posted,
            Changes {
                pos_order_id: Some(o.pos_order_id.clone()),
                pos_number: o.number.clone(),
                pos_status: Some(o.status.as_str().to_string()),
                notice: Some(None),
                ..Default::default()
            },
            Some(why),
        );
        match r {
            Ok(next) => {
                self.checkouts.republish(&next);
                Ok(())
            }
            Err(JournalError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes a problem off the list, with the reason staff give.
    pub async fn mark_handled(
        &self,
        session: &str,
        checkout_id: &str,
        reason: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self.authorize(session).await?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 300 {
            return Err(StaffError::NotApplicable(
                "say in 1 to 300 characters how it was settled".into(),
            ));
        }
        let (_busy, rec) = self.reserve(checkout_id)?;
        let fits = self.waiting_for_staff(&rec)?
            || (rec.pay_at_counter
                && matches!(rec.state, CheckoutState::Posted | CheckoutState::Tracking)
                && !self.marked_handled(&rec.id));
        if !fits {
            return Err(StaffError::NotApplicable(format!(
                "checkout {} is {} and not waiting for staff",
                rec.number,
                rec.state.as_str()
            )));
        }
        // The mark and its history line are one journal transaction.
        self.checkouts
            .journal
            .mark_handled(&rec.id, &s.who.label(), reason)?;
        self.bump();
        Ok(StaffOutcome::Handled)
    }

    /// Returns the money of a checkout waiting for staff through the provider that took it.
    pub async fn refund(
        &self,
        session: &str,
        checkout_id: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self.authorize(session).await?;
        let (_busy, rec) = self.reserve(checkout_id)?;
        if !self.waiting_for_staff(&rec)? {
            return Err(StaffError::NotApplicable(match rec.state {
                CheckoutState::Refunding => {
                    "the kiosk is refunding this checkout already".to_string()
                }
                st => format!(
                    "only a checkout waiting for staff is refunded here; this one is {}",
                    st.as_str()
                ),
            }));
        }
        let receipt = rec.receipt.clone().ok_or_else(|| {
            StaffError::NotApplicable(
                "nothing was charged at the kiosk (the guest pays at the counter, or the payment's outcome is unknown)"
                    .into(),
            )
        })?;
        let provider = self.checkouts.provider_for(&rec).ok_or_else(|| {
            StaffError::NotApplicable(format!(
                "the payment provider {:?} that took this payment is not configured on this kiosk: refund it in the provider's own tools",
                rec.provider
            ))
        })?;
        let detail = format!(
            "refund {} of payment {} ({}) through {}{}",
            receipt.amount,
            receipt.transaction_id,
            receipt.card_mask.as_deref().unwrap_or("no card"),
            provider.name(),
            rec.pos_order_id
                .as_deref()
                .map(|p| format!("; POS order {p} stays open in the POS"))
                .unwrap_or_default()
        );
        let run = async {
            match provider.refund(&rec.attempt_id, receipt.amount).await? {
                kiosk_core::payment::RefundOutcome::Refunded { reference } => {
                    let reason = format!(
                        "refunded {} through {}, reference {reference}",
                        receipt.amount,
                        provider.name()
                    );
                    self.checkouts
                        .journal
                        .mark_handled(&rec.id, &s.who.label(), &reason)?;
                    Ok(StaffOutcome::Refunded {
                        amount: receipt.amount,
                        reference,
                    })
                }
                kiosk_core::payment::RefundOutcome::Pending => Ok(StaffOutcome::RefundPending),
                kiosk_core::payment::RefundOutcome::Failed { reason } => {
                    Err(StaffError::RefundFailed(reason))
                }
            }
        };
        self.act(&s, On::Checkout(&rec), "refund", &detail, run)
            .await
    }

    /// Prints the number the guest is called by (through the printer hook).
    pub async fn print_number(
        &self,
        session: &str,
        order: StaffOrderRef,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self.authorize(session).await?;
        let d = self.detail(&s, &order).await?;
        let ticket = NumberTicket {
            number: d.row.number.clone(),
            restaurant: self.engine.config.kiosk.restaurant_name.clone(),
            order_type: d
                .row
                .checkout_id
                .as_deref()
                .and_then(|id| self.checkouts.journal.get(id).ok())
                .map(|r| r.order_type),
            total: d.row.total,
            at: rfc3339(time::OffsetDateTime::now_utc()),
            checkout_id: d.row.checkout_id.clone(),
            staff: Some(s.who.name.clone()),
        };
        let detail = format!("number {}", ticket.number);
        let run = async {
            match self
                .printer
                .print_number(&ticket)
                .await
                .map_err(StaffError::Printer)?
            {
                PrintResult::Printed => Ok(StaffOutcome::Printed),
                PrintResult::NotPrinted { reason } => Ok(StaffOutcome::NoPrinter { reason }),
            }
        };
        self.act(&s, On::Row(&d.row), "print_number", &detail, run)
            .await
    }

    // -- actions on POS orders -------------------------------------------------------------------

    fn pos_user<'a>(&self, s: &'a Session) -> Result<&'a Secret, StaffError> {
        s.pos_user.as_ref().ok_or_else(|| {
            StaffError::NotApplicable("this session has no POS user; log in again".into())
        })
    }

    /// Edits need the lock, taken by this session.
    fn require_lock(&self, s: &Session, pos_order_id: &str) -> Result<(), StaffError> {
        match self.holder(pos_order_id) {
            Some(h) if h.session == s.id => Ok(()),
            Some(h) => Err(StaffError::NotApplicable(format!(
                "{} is editing this order; wait until they are done",
                h.who.name
            ))),
            None => Err(StaffError::NotApplicable(
                "lock the order before changing it".into(),
            )),
        }
    }

    /// The session of an action on a POS order, when the POS offers it: `can` picks the
    /// capability, `what` names the action in the refusal.
    async fn pos_session(
        &self,
        session: &str,
        can: fn(&StaffCapabilities) -> bool,
        what: &'static str,
    ) -> Result<Session, StaffError> {
        let s = self.authorize(session).await?;
        if !can(&self.pos.capabilities()) {
            return Err(self.pos.unsupported(what));
        }
        Ok(s)
    }

    /// The POS user an edit of a locked order is made as; the session must hold the lock.
    fn editor(&self, s: &Session, pos_order_id: &str) -> Result<Secret, StaffError> {
        self.require_lock(s, pos_order_id)?;
        Ok(self.pos_user(s)?.clone())
    }

    /// The order as the POS has it after an edit.
    async fn updated(&self, s: &Session, pos_order_id: &str) -> Result<StaffOutcome, StaffError> {
        let d = self.detail(s, &pos_ref(pos_order_id)).await?;
        Ok(StaffOutcome::Updated { order: Box::new(d) })
    }

    /// Locks a Jupiter order for editing by this session. A lock held through this kiosk by
    /// another session is refused with its holder's name, before Jupiter is asked (Jupiter
    /// locks per user, so the same member on two tablets would otherwise both pass). A lock
    /// Jupiter refuses is shown with Jupiter's words and never overridden.
    pub async fn lock(
        &self,
        session: &str,
        pos_order_id: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self.pos_session(session, |c| c.lock, "order locks").await?;
        let user = self.pos_user(&s)?.clone();
        let key = norm(pos_order_id);
        // Reserve the lock before asking the POS, so two sessions cannot both get it.
        let (other, had) = {
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            match locks.get(&key) {
                Some(h) if h.session != s.id => (Some(h.who.name.clone()), false),
                Some(_) => (None, true),
                None => {
                    locks.insert(
                        key.clone(),
                        Holder {
                            session: s.id.clone(),
                            who: s.who.clone(),
                            since: self.sessions.clock_now(),
                        },
                    );
                    (None, false)
                }
            }
        };
        if let Some(held_by) = other {
            let message = format!("{held_by} is editing this order on this kiosk");
            let refused = async {
                Ok(StaffOutcome::LockRefused {
                    held_by: Some(held_by),
                    message,
                })
            };
            return self
                .act(&s, On::PosOrder(pos_order_id), "lock", "lock", refused)
                .await;
        }
        let run = async {
            match self.pos.lock(&user, pos_order_id).await? {
                LockAnswer::Locked(_) => {
                    let d = self.detail(&s, &pos_ref(pos_order_id)).await?;
                    Ok(StaffOutcome::Locked { order: Box::new(d) })
                }
                LockAnswer::Refused { message } => Ok(StaffOutcome::LockRefused {
                    held_by: None,
                    message,
                }),
                LockAnswer::NotInPos => Ok(StaffOutcome::NotInPos),
            }
        };
        let r = self
            .act(&s, On::PosOrder(pos_order_id), "lock", "lock", run)
            .await;
        // A lock this session held before stays recorded: Jupiter still has it.
        if !had && !matches!(r, Ok(StaffOutcome::Locked { .. })) {
            self.locks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&key);
        }
        r
    }

    pub async fn unlock(
        &self,
        session: &str,
        pos_order_id: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self.pos_session(session, |c| c.lock, "order locks").await?;
        if let Some(h) = self.holder(pos_order_id) {
            if h.session != s.id {
                return Err(StaffError::NotApplicable(format!(
                    "{} holds this lock; only they (or their session ending) release it",
                    h.who.name
                )));
            }
        }
        let user = self.pos_user(&s)?.clone();
        let run = async {
            self.pos.unlock(&user, pos_order_id).await?;
            self.locks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&norm(pos_order_id));
            Ok(StaffOutcome::Unlocked)
        };
        self.act(&s, On::PosOrder(pos_order_id), "unlock", "unlock", run)
            .await
    }

    /// Adds dishes to a locked Jupiter order (`add_new_order` with new line uids only).
    pub async fn add_dishes(
        &self,
        session: &str,
        pos_order_id: &str,
        lines: Vec<CartLine>,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self
            .pos_session(session, |c| c.add_dishes, "adding dishes")
            .await?;
        if lines.is_empty() {
            return Err(StaffError::NotApplicable("choose at least one dish".into()));
        }
        let user = self.editor(&s, pos_order_id)?;
        let detail = lines
            .iter()
            .map(|l| {
                let mods: Vec<String> = l
                    .modifiers
                    .iter()
                    .map(|m| format!("{}×{}", m.qty, m.id))
                    .collect();
                if mods.is_empty() {
                    format!("{} × {}", l.qty, l.dish)
                } else {
                    format!("{} × {} ({})", l.qty, l.dish, mods.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        let run = async {
            self.pos.add_dishes(&user, pos_order_id, &lines).await?;
            self.updated(&s, pos_order_id).await
        };
        self.act(&s, On::PosOrder(pos_order_id), "add_dishes", &detail, run)
            .await
    }

    /// Prints the bill of a locked Jupiter order; Jupiter then closes it to new dishes.
    pub async fn print_bill(
        &self,
        session: &str,
        pos_order_id: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self
            .pos_session(session, |c| c.print_bill, "bill printing")
            .await?;
        let user = self.editor(&s, pos_order_id)?;
        let run = async {
            self.pos.print_bill(&user, pos_order_id).await?;
            self.updated(&s, pos_order_id).await
        };
        self.act(
            &s,
            On::PosOrder(pos_order_id),
            "print_bill",
            "print the bill",
            run,
        )
        .await
    }

    /// Attaches a loyalty client to a locked Jupiter order by the code the guest shows.
    pub async fn add_client(
        &self,
        session: &str,
        pos_order_id: &str,
        code: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self
            .pos_session(session, |c| c.add_client, "loyalty clients")
            .await?;
        let code = code.trim();
        if code.is_empty() || code.chars().count() > 100 {
            return Err(StaffError::NotApplicable(
                "enter the code the guest shows".into(),
            ));
        }
        let user = self.editor(&s, pos_order_id)?;
        // The code may be a one-time login to the guest's loyalty account: only its end is kept.
        let shown: String = code
            .chars()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let detail = format!("client code …{shown}");
        let run = async {
            let a = self.pos.add_client(&user, pos_order_id, code).await?;
            let d = self.detail(&s, &pos_ref(pos_order_id)).await?;
            Ok(StaffOutcome::ClientAdded {
                client: a.copy.client.clone(),
                discounts: a.discounts,
                total_before: a.total_before,
                total_after: a.copy.order.total,
                order: Box::new(d),
            })
        };
        self.act(&s, On::PosOrder(pos_order_id), "add_client", &detail, run)
            .await
    }

    /// Closes a ProCart order, recording a payment: by default the kiosk's own card payment
    /// when the POS lacks it, else what is outstanding in the counter tender.
    pub async fn close(
        &self,
        session: &str,
        pos_order_id: &str,
        payment: StaffClosePayment,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self
            .pos_session(session, |c| c.close, "closing orders")
            .await?;
        let rec = self.checkout_for_pos(pos_order_id);
        let found = self
            .engine
            .pos
            .orders(&[pos_order_id.to_string()])
            .await?
            .into_iter()
            .find(|o| same_id(&o.pos_order_id, pos_order_id))
            .ok_or_else(|| StaffError::NotFound(format!("POS order {pos_order_id}")))?;
        if found.status.is_final() {
            return Err(StaffError::NotApplicable(format!(
                "the order is {} already",
                found.status.as_str()
            )));
        }
        let pay = self.close_payment(rec.as_ref(), &found, payment);
        let detail = match &pay {
            Some(p) => format!(
                "close with a payment of {} in tender {}{}",
                p.amount,
                p.tender,
                p.transaction_id
                    .as_deref()
                    .map(|t| format!(" (transaction {t})"))
                    .unwrap_or_default()
            ),
            None => "close without a payment".into(),
        };
        let run = async {
            let o = self.pos.close(pos_order_id, pay.clone()).await?;
            Ok(StaffOutcome::Closed { order: o })
        };
        self.act(&s, On::PosOrder(pos_order_id), "close", &detail, run)
            .await
    }

    fn close_payment(
        &self,
        rec: Option<&CheckoutRecord>,
        order: &PosOrder,
        asked: StaffClosePayment,
    ) -> Option<ClosePayment> {
        if asked.no_payment == Some(true) {
            return None;
        }
        let kiosk_tender = self.engine.config.payment.tender.clone();
        let counter_tender = self
            .settings()
            .counter_tender
            .unwrap_or_else(|| kiosk_tender.clone());
        let outstanding = order.total - order.paid;
        // The kiosk's card payment, when the POS does not have it yet.
        let receipt = rec
            .and_then(|r| r.receipt.as_ref())
            .filter(|r| order.paid < r.amount);
        let mut p = match receipt {
            Some(r) => ClosePayment {
                tender: kiosk_tender,
                amount: r.amount,
                transaction_id: Some(r.transaction_id.clone()),
                auth_code: r.auth_code.clone(),
                card_mask: r.card_mask.clone(),
                paid_at: Some(r.paid_at.clone()),
            },
            None => ClosePayment {
                tender: counter_tender,
                amount: outstanding,
                transaction_id: None,
                auth_code: None,
                card_mask: None,
                paid_at: None,
            },
        };
        if let Some(a) = asked.amount {
            p.amount = a;
        }
        if let Some(t) = asked.tender {
            p.tender = t;
        }
        if asked.transaction_id.is_some() {
            p.transaction_id = asked.transaction_id;
        }
        // A prepaid order kept open just closes.
        (p.amount > Money::ZERO).then_some(p)
    }

    /// ProCart's long comment of an order, as r_keeper's print layouts read it.
    pub async fn print_info(
        &self,
        session: &str,
        pos_order_id: &str,
    ) -> Result<StaffOutcome, StaffError> {
        let s = self
            .pos_session(session, |c| c.print_info, "print_info")
            .await?;
        let run = async {
            let comment = self.pos.print_info(pos_order_id).await?;
            Ok(StaffOutcome::PrintInfo { comment })
        };
        self.act(
            &s,
            On::PosOrder(pos_order_id),
            "print_info",
            "read the long comment",
            run,
        )
        .await
    }
}
