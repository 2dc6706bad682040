//! `kiosk_core::ports::Pos` for r_keeper through ProCart.
//!
//! A thin layer over [`ProcartClient`] and the mapping: the engine sees only the trait, so the
//! simulator and a real gateway are interchangeable. The one piece of judgement here is
//! [`ProcartPos::find_order`], which the checkout uses to reconcile after a lost `/postorder`
//! answer: it says "surely absent" (`Ok(None)`) only when ProCart answered with a list that
//! echoes external ids and none of them is ours. Anything less certain is an error, because a
//! wrong "absent" would post the paid order a second time and a wrong "present" would lose it.

use std::time::Instant;

use async_trait::async_trait;
use kiosk_core::cart::Cart;
use kiosk_core::catalog::Catalog;
use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus, PosInfo, PosOrder};
use kiosk_core::ports::Pos;
use kiosk_core::pricing::Quote;
use kiosk_core::PosError;

use crate::client::{ProcartClient, ProcartConfig};
use crate::mapping;
use crate::wire::{guid_eq, WireOrder};

/// The ProCart adapter. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ProcartPos {
    client: ProcartClient,
}

impl ProcartPos {
    pub fn new(config: ProcartConfig) -> Result<ProcartPos, PosError> {
        Ok(ProcartPos {
            client: ProcartClient::new(config)?,
        })
    }

    pub fn from_client(client: ProcartClient) -> ProcartPos {
        ProcartPos { client }
    }

    /// The wire-level client, for `/close`, `/internal/print_info` and raw answers.
    pub fn client(&self) -> &ProcartClient {
        &self.client
    }

    /// `/ping`, failing when the answer says orders cannot go through (bad token, invalid
    /// licence, cash server down). For a start-up check; [`Pos::ping`] reports the same facts
    /// as fields instead.
    pub async fn ready(&self) -> Result<PosInfo, PosError> {
        let started = Instant::now();
        let a = self.client.ping().await?;
        if let Some(e) = mapping::ping_problem(&a.data) {
            return Err(e);
        }
        Ok(mapping::pos_info(&a.data, elapsed_ms(started)))
    }
}

fn elapsed_ms(since: Instant) -> u32 {
    u32::try_from(since.elapsed().as_millis()).unwrap_or(u32::MAX)
}

/// Of several orders carrying our external id (duplicates made by the POS), the live one.
fn best_match<'a>(matches: &[&'a WireOrder]) -> Option<&'a WireOrder> {
    matches
        .iter()
        .find(|o| {
            !matches!(
                o.status.as_ref().map(mapping::status),
                Some(OrderStatus::Deleted)
            )
        })
        .or(matches.first())
        .copied()
}

#[async_trait]
impl Pos for ProcartPos {
    fn kind(&self) -> &'static str {
        "procart"
    }

    /// Health as reported by `/ping`. A 200 with `token_valid:false`, an invalid licence or a
    /// down cash server is still `Ok`, with those facts in their own fields; use
    /// [`ProcartPos::ready`] to get them as errors.
    async fn ping(&self) -> Result<PosInfo, PosError> {
        let started = Instant::now();
        let a = self.client.ping().await?;
        Ok(mapping::pos_info(&a.data, elapsed_ms(started)))
    }

    async fn menu(&self) -> Result<Catalog, PosError> {
        self.client.getmenu_catalog().await
    }

    /// `/validate` with the order category of `ctx` (it selects the price list, [S8]).
    async fn price(
        &self,
        _catalog: &Catalog,
        cart: &Cart,
        ctx: &OrderContext,
    ) -> Result<Quote, PosError> {
        let req = mapping::cart_request(cart, ctx);
        let a = self.client.validate(&req).await?;
        mapping::quote(&a.data)
    }

    /// `/postorder`, sent once (see [`Pos::place_order`]).
    async fn place_order(
        &self,
        _catalog: &Catalog,
        req: &OrderRequest,
    ) -> Result<PosOrder, PosError> {
        let body = mapping::postorder_request(req);
        let a = self.client.postorder(&body).await?;
        let order = mapping::order(&a.data)?;
        if let Some(echoed) = &order.external_id {
            if echoed != &req.external_id {
                tracing::warn!(
                    expected = %req.external_id,
                    echoed = %echoed,
                    "ProCart echoed a different external id for a new order"
                );
            }
        }
        Ok(order)
    }

    async fn find_order(&self, external_id: &str) -> Result<Option<PosOrder>, PosError> {
        let a = self
            .client
            .getorders_by_external_ids(&[external_id.to_string()])
            .await?;
        let orders = &a.data.orders;
        let matches: Vec<&WireOrder> = orders
            .iter()
            .filter(|o| o.external_id.as_deref().map(str::trim) == Some(external_id.trim()))
            .collect();
        if matches.is_empty() {
            if orders.iter().any(|o| o.external_id.is_none()) {
                return Err(PosError::Malformed(
                    "getorders answered with orders that carry no external id, so it cannot tell whether ours exists"
                        .into(),
                ));
            }
            return Ok(None);
        }
        if matches.len() > 1 {
            tracing::warn!(
                external_id,
                count = matches.len(),
                "ProCart holds several orders for one external id"
            );
        }
        best_match(&matches).map(mapping::order).transpose()
    }

    /// Orders by GUID; GUIDs ProCart does not know are left out. Answers for GUIDs that were not
    /// asked for (a gateway that ignores the filter) are dropped. With no GUIDs: this token's
    /// recent orders, as ProCart lists them for an empty filter (§5.5).
    async fn orders(&self, pos_order_ids: &[String]) -> Result<Vec<PosOrder>, PosError> {
        if pos_order_ids.is_empty() {
            let a = self.client.getorders_recent().await?;
            return a.data.orders.iter().map(mapping::order).collect();
        }
        let a = self.client.getorders_by_guids(pos_order_ids).await?;
        a.data
            .orders
            .iter()
            .filter(|o| {
                o.guid
                    .as_deref()
                    .is_none_or(|g| pos_order_ids.iter().any(|id| guid_eq(g, id)))
            })
            .map(mapping::order)
            .collect()
    }
}
