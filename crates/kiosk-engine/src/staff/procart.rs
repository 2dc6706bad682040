//! The staff actions on r_keeper, over ProCart (reference §5.5–§5.7).
//!
//! ProCart has no staff login, no locks and no way to add dishes to an order: staff log in
//! with the kiosk's own PINs, and the order actions are `/close` (with a payment taken at the
//! counter, or the kiosk's own payment the POS lacks) and `/internal/print_info` (the order's
//! long comment, as r_keeper's print layouts read it). The order list is `/getorders` for this
//! token's recent orders, plus any kiosk order the recent list no longer covers.

use std::time::Duration;

use async_trait::async_trait;
use kiosk_core::order::PosOrder;
use kiosk_core::view::{StaffCapabilities, StaffLoginMethod};
use pos_jupiter::Secret;
use pos_procart::wire::{CloseRequest, Code, PaymentRequest, WireOrder};
use pos_procart::{mapping, ProcartClient};

use super::{ClosePayment, PosRow, StaffError, StaffPos};

pub struct ProcartStaff {
    client: ProcartClient,
}

impl ProcartStaff {
    pub fn new(client: ProcartClient) -> ProcartStaff {
        ProcartStaff { client }
    }
}

/// Seconds since r_keeper's local wall-clock time (`2025-03-01T12:34:56`, no offset, §4.4),
/// read with this machine's offset like the gateway writes it.
fn age_s(created_at: &str) -> Option<u64> {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let text = created_at.get(..19).unwrap_or(created_at);
    let t = time::PrimitiveDateTime::parse(text, &f).ok()?;
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let now = time::PrimitiveDateTime::new(now.date(), now.time());
    let secs = (now - t).whole_seconds();
    // A clock a few seconds apart is "just now"; a date in the future is not an age.
    (secs > -300).then(|| Duration::from_secs(secs.max(0) as u64).as_secs())
}

fn row(o: &WireOrder) -> Option<PosRow> {
    let order = mapping::order(o).ok()?;
    Some(PosRow {
        paid: o.paid_sum,
        opened_at: o.created_at.clone(),
        age_s: o.created_at.as_deref().and_then(age_s),
        order,
    })
}

#[async_trait]
impl StaffPos for ProcartStaff {
    fn kind(&self) -> &'static str {
        "procart"
    }

    fn capabilities(&self) -> StaffCapabilities {
        StaffCapabilities {
            lock: false,
            add_dishes: false,
            print_bill: false,
            add_client: false,
            close: true,
            print_info: true,
            print_number: false,
        }
    }

    fn login_methods(&self) -> Vec<StaffLoginMethod> {
        vec![StaffLoginMethod::Pin]
    }

    async fn orders(
        &self,
        _user: Option<&Secret>,
        kiosk_ids: &[String],
    ) -> Result<Vec<PosRow>, StaffError> {
        let recent = self.client.getorders_recent().await?;
        let mut rows: Vec<PosRow> = recent.data.orders.iter().filter_map(row).collect();
        let missing: Vec<String> = kiosk_ids
            .iter()
            .filter(|id| {
                !rows
                    .iter()
                    .any(|r| pos_procart::wire::guid_eq(&r.order.pos_order_id, id))
            })
            .cloned()
            .collect();
        if !missing.is_empty() {
            let older = self.client.getorders_by_guids(&missing).await?;
            rows.extend(older.data.orders.iter().filter_map(row));
        }
        Ok(rows)
    }

    async fn close(
        &self,
        pos_order_id: &str,
        payment: Option<ClosePayment>,
    ) -> Result<PosOrder, StaffError> {
        let req = CloseRequest {
            guid: pos_order_id.to_string(),
            payments: payment
                .into_iter()
                .map(|p| PaymentRequest {
                    currency_code: Code::new(p.tender),
                    amount: p.amount,
                    transaction_id: p.transaction_id,
                    auth_code: p.auth_code,
                    card_mask: p.card_mask,
                    paid_at: p.paid_at,
                })
                .collect(),
        };
        let a = self.client.close(&req).await?;
        Ok(mapping::order(&a.data)?)
    }

    async fn print_info(&self, pos_order_id: &str) -> Result<String, StaffError> {
        Ok(self.client.print_info(pos_order_id).await?.comment)
    }
}

#[cfg(test)]
mod tests {
    use super::age_s;

    #[test]
    fn ages_read_local_wall_clock_times() {
        assert_eq!(age_s("not a date"), None);
        assert_eq!(
            age_s("2999-01-01T00:00:00"),
            None,
            "the future is not an age"
        );
        assert!(age_s("2020-01-01T00:00:00").unwrap() > 86_400);
    }
}
