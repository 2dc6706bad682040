//! The staff actions on Jupiter, over JPOS (reference §5.3–§5.9, §8.3).
//!
//! - Login is `get_user_id`: Jupiter checks the password or card track; the user id it returns
//!   is a credential (§1.5), so it stays in the session and the journal names the member by
//!   [`user_key`], a fingerprint of it.
//! - The order list is `get_closed_orders` twice: as the kiosk's service user (the kiosk's own
//!   orders, and what is closed of them) and as the staff member (their open orders).
//! - Editing follows JPOS: `lock_order` first (the answer is Jupiter's copy of the order, kept
//!   here), then `add_new_order` / `print_bill` / `add_client_to_order` as the staff member,
//!   then `unlock_order`. A refused lock is reported with Jupiter's words, never overridden.
//! - Added dishes are sent as new lines only, with line uids after every uid the order already
//!   has (modifier rows included): Jupiter adds lines it does not know by uid and never
//!   changes or removes one it knows (§5.4), so the lines already there are left alone.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use kiosk_core::cart::{Cart, CartLine, OrderType};
use kiosk_core::order::{OrderStatus, PosOrder};
use kiosk_core::view::{LoyaltyClientView, StaffCapabilities, StaffLoginMethod};
use kiosk_core::Money;
use pos_jupiter::order::{self, Clock, OrderHeader, SystemClock};
use pos_jupiter::wire::{self, RejectKind};
use pos_jupiter::{JupiterError, JupiterPos, Secret};
use sha2::{Digest, Sha256};

use super::{ClientAnswer, LockAnswer, PosCopy, PosLogin, PosRow, StaffError, StaffPos};

/// The stable, non-secret id of a Jupiter user: `jpos-` and 10 hex digits of a hash of the
/// user id. The staff settings give it a name.
pub fn user_key(user_id: &str) -> String {
    let h = Sha256::digest(format!("jupiter-user:{user_id}").as_bytes());
    let hex: String = h.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("jpos-{hex}")
}

pub struct JupiterStaff {
    pos: JupiterPos,
    /// Jupiter's last copy of each order staff opened here, by the id they opened it with.
    copies: Mutex<HashMap<String, wire::Order>>,
    clock: SystemClock,
}

impl JupiterStaff {
    pub fn new(pos: JupiterPos) -> JupiterStaff {
        let clock = SystemClock {
            utc_offset: pos
                .config()
                .utc_offset_minutes
                .and_then(|m| time::UtcOffset::from_whole_seconds(m * 60).ok()),
        };
        JupiterStaff {
            pos,
            copies: Mutex::new(HashMap::new()),
            clock,
        }
    }

    fn copies(&self) -> std::sync::MutexGuard<'_, HashMap<String, wire::Order>> {
        self.copies.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn keep(&self, id: &str, o: &wire::Order) {
        self.copies().insert(id.to_string(), o.clone());
    }

    fn held_copy(&self, id: &str) -> Result<wire::Order, StaffError> {
        self.copies()
            .get(id)
            .cloned()
            .ok_or_else(|| StaffError::NotApplicable("lock the order before changing it".into()))
    }

    /// Minutes since `HH:MM` today (yesterday when that is in the future), in seconds.
    fn age_s(&self, hm: &str) -> Option<u64> {
        let (h, m) = hm.trim().split_once(':')?;
        let opened = h.parse::<u64>().ok()? * 60 + m.parse::<u64>().ok()?;
        let now = self.clock.now();
        let now_min = u64::from(now.hour()) * 60 + u64::from(now.minute());
        let diff = (now_min + 24 * 60 - opened) % (24 * 60);
        Some(diff * 60)
    }

    fn open_row(&self, o: &wire::OpenOrder) -> PosRow {
        let quote = self.copies().get(&o.uid).map(order::to_quote);
        PosRow {
            order: PosOrder {
                pos_order_id: o.uid.clone(),
                external_id: Some(o.uid.clone()),
                number: Some(o.name.clone()).filter(|n| !n.trim().is_empty()),
                status: OrderStatus::Open,
                total: o.sum_fakt,
                paid: Money::ZERO,
                quote,
            },
            paid: None,
            opened_at: Some(o.open_time.clone()).filter(|t| !t.is_empty()),
            age_s: self.age_s(&o.open_time),
        }
    }
}

fn copy_of(o: &wire::Order) -> PosCopy {
    PosCopy {
        order: order::to_pos_order(o),
        client: o.client.as_ref().map(|c| LoyaltyClientView {
            name: c.name.clone(),
            card: c.card.clone(),
            bonus: c.bonus,
        }),
    }
}

/// The order as a request that changes nothing by itself: Jupiter's header, no lines (new
/// lines are added by the caller), no payments, not closing.
fn update_request(copy: &wire::Order) -> wire::Order {
    let mut req = copy.clone();
    req.order_line = vec![];
    req.order_payment = vec![];
    // Jupiter computes its discounts itself (§8.5); sending its own back could read as
    // manual ones.
    req.order_discounts = vec![];
    req.close_date = String::new();
    req.kod = None;
    req.status = None;
    req
}

/// The highest numeric line uid of the order, modifier rows included.
fn max_line_uid(o: &wire::Order) -> u64 {
    o.order_line
        .iter()
        .flat_map(|l| std::iter::once(l).chain(l.modifiers().iter()))
        .filter_map(|l| l.uid.trim().parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

fn shift_uids(lines: &mut [wire::Line], by: u64) {
    for l in lines {
        if let Ok(n) = l.uid.parse::<u64>() {
            l.uid = (n + by).to_string();
        }
        if let Some(mods) = l.selected_modifiers.as_mut() {
            shift_uids(mods, by);
        }
    }
}

fn rejected_to_staff(e: JupiterError) -> StaffError {
    StaffError::Pos(e.into())
}

#[async_trait]
impl StaffPos for JupiterStaff {
    fn kind(&self) -> &'static str {
        "jupiter"
    }

    fn capabilities(&self) -> StaffCapabilities {
        StaffCapabilities {
            lock: true,
            add_dishes: true,
            print_bill: true,
            add_client: true,
            close: false,
            print_info: false,
            print_number: false,
        }
    }

    fn login_methods(&self) -> Vec<StaffLoginMethod> {
        vec![StaffLoginMethod::Password, StaffLoginMethod::Card]
    }

    async fn login(&self, secret: &str) -> Result<PosLogin, StaffError> {
        // Sent exactly as typed or read from the card (§5.3: no trimming).
        match self.pos.client().get_user_id(&Secret::new(secret)).await {
            Ok(l) => {
                let no_workday = l.workday_id.as_deref().is_none_or(|w| w.trim().is_empty());
                Ok(PosLogin {
                    key: user_key(l.user_id.expose()),
                    user: l.user_id,
                    warning: no_workday.then(|| {
                        "no workday is open in Jupiter: orders cannot be changed until a manager opens one"
                            .to_string()
                    }),
                })
            }
            Err(e) if e.reject_kind() == Some(RejectKind::BadPassword) => {
                Err(StaffError::WrongCredential)
            }
            Err(e) => Err(rejected_to_staff(e)),
        }
    }

    async fn orders(
        &self,
        user: Option<&Secret>,
        kiosk_ids: &[String],
    ) -> Result<Vec<PosRow>, StaffError> {
        let kiosk = self.pos.poll_status(kiosk_ids).await?;
        let mut rows: Vec<PosRow> = kiosk
            .closed
            .iter()
            .map(|uid| PosRow {
                order: PosOrder {
                    pos_order_id: uid.clone(),
                    external_id: Some(uid.clone()),
                    number: None,
                    status: OrderStatus::Closed,
                    // Jupiter's closed list carries no totals.
                    total: Money::ZERO,
                    paid: Money::ZERO,
                    quote: None,
                },
                paid: None,
                opened_at: None,
                age_s: None,
            })
            .collect();
        let mut open = kiosk.open;
        if let Some(user) = user {
            let mine = self
                .pos
                .client()
                .get_closed_orders(user, &[])
                .await
                .map_err(rejected_to_staff)?;
            open.extend(mine.open_orders);
        }
        for o in &open {
            if !rows.iter().any(|r| r.order.pos_order_id == o.uid) {
                rows.push(self.open_row(o));
            }
        }
        Ok(rows)
    }

    fn copy(&self, pos_order_id: &str) -> Option<PosCopy> {
        self.copies().get(pos_order_id).map(copy_of)
    }

    async fn lock(&self, user: &Secret, pos_order_id: &str) -> Result<LockAnswer, StaffError> {
        match self.pos.client().lock_order(user, pos_order_id).await {
            Ok(Some(o)) => {
                self.keep(pos_order_id, &o);
                Ok(LockAnswer::Locked(Box::new(copy_of(&o))))
            }
            Ok(None) => Ok(LockAnswer::NotInPos),
            // Who the user is, or which server, is not about this order: a real error.
            Err(e @ JupiterError::Rejected { .. })
                if matches!(
                    e.reject_kind(),
                    Some(RejectKind::UnknownUser | RejectKind::UnknownServer)
                ) =>
            {
                Err(rejected_to_staff(e))
            }
            // Edited at another workstation, bill printed, closed: Jupiter's words, shown as
            // they are (the texts are not a contract, so they are not matched).
            Err(JupiterError::Rejected { message, .. }) => Ok(LockAnswer::Refused { message }),
            Err(e) => Err(rejected_to_staff(e)),
        }
    }

    async fn unlock(&self, user: &Secret, pos_order_id: &str) -> Result<(), StaffError> {
        self.pos
            .client()
            .unlock_order(user, pos_order_id)
            .await
            .map_err(rejected_to_staff)?;
        self.copies().remove(pos_order_id);
        Ok(())
    }

    async fn add_dishes(
        &self,
        user: &Secret,
        pos_order_id: &str,
        lines: &[CartLine],
    ) -> Result<PosCopy, StaffError> {
        let copy = self.held_copy(pos_order_id)?;
        let menu = self.pos.current_menu().await?;
        let cart = Cart {
            order_type: if copy.vid == wire::VID_TAKEAWAY {
                OrderType::Takeaway
            } else {
                OrderType::EatIn
            },
            lines: lines.to_vec(),
        };
        let priced = pos_jupiter::pricing::price_cart(&menu.catalog, Some(&menu), &cart)
            .map_err(|e| StaffError::Pos(e.into()))?;
        let header = OrderHeader {
            vid: copy.vid.clone(),
            source: copy.source.clone(),
            staff_name: copy.waiter.clone(),
        };
        let built = order::build_order(
            &priced,
            &copy.uid,
            &copy.num,
            &copy.name,
            &header,
            self.clock.now(),
        );
        let mut new_lines = built.order_line;
        shift_uids(&mut new_lines, max_line_uid(&copy));
        let mut req = update_request(&copy);
        req.order_line = new_lines;
        let o = self
            .pos
            .client()
            .add_new_order(user, &req)
            .await
            .map_err(rejected_to_staff)?;
        self.keep(pos_order_id, &o);
        Ok(copy_of(&o))
    }

    async fn print_bill(&self, user: &Secret, pos_order_id: &str) -> Result<PosCopy, StaffError> {
        let copy = self.held_copy(pos_order_id)?;
        let o = self
            .pos
            .client()
            .print_bill(user, &update_request(&copy))
            .await
            .map_err(rejected_to_staff)?;
        self.keep(pos_order_id, &o);
        Ok(copy_of(&o))
    }

    async fn add_client(
        &self,
        user: &Secret,
        pos_order_id: &str,
        code: &str,
    ) -> Result<ClientAnswer, StaffError> {
        let before = self.held_copy(pos_order_id)?;
        let o = self
            .pos
            .client()
            .add_client_to_order(user, code, pos_order_id)
            .await
            .map_err(rejected_to_staff)?;
        self.keep(pos_order_id, &o);
        Ok(ClientAnswer {
            discounts: order::to_quote(&o).adjustments,
            total_before: before.sum_fakt,
            copy: copy_of(&o),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_lines_get_uids_after_every_uid_in_the_order() {
        let line = |uid: &str, mods: Vec<wire::Line>| wire::Line {
            uid: uid.into(),
            selected_modifiers: Some(mods),
            ..Default::default()
        };
        let m = |uid: &str| wire::Line {
            uid: uid.into(),
            ..Default::default()
        };
        let o = wire::Order {
            order_line: vec![line("1", vec![m("2"), m("3")]), line("4", vec![])],
            ..Default::default()
        };
        assert_eq!(max_line_uid(&o), 4);
        let mut new = vec![line("1", vec![m("2")]), line("3", vec![])];
        shift_uids(&mut new, 4);
        assert_eq!(new[0].uid, "5");
        assert_eq!(new[0].modifiers()[0].uid, "6");
        assert_eq!(new[1].uid, "7");
    }

    #[test]
    fn the_user_key_is_stable_and_hides_the_id() {
        let k = user_key("4:1:0:15");
        assert_eq!(k, user_key("4:1:0:15"));
        assert_ne!(k, user_key("4:1:0:16"));
        assert!(k.starts_with("jpos-") && k.len() == 15, "{k}");
        assert!(!k.contains("4:1:0:15"));
    }
}
