//! Live pricing of the cart by the POS, one request at a time.
//!
//! The customer taps faster than the POS answers. At most one pricing request is in flight;
//! carts submitted meanwhile wait, and only the newest of them is sent next (the ones it
//! replaced are answered `Superseded` at once). An answer is returned with the revision of the
//! cart it priced, so the UI never shows an older cart's price as the current one.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use kiosk_core::cart::Cart;
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::pricing::Quote;
use tokio::sync::oneshot;

type Reply = oneshot::Sender<Result<(u64, Quote), IpcError>>;
pub type PriceFn = Arc<
    dyn Fn(Cart) -> Pin<Box<dyn Future<Output = Result<Quote, IpcError>> + Send>> + Send + Sync,
>;

#[derive(Default)]
struct State {
    /// The revision being priced now, if any.
    in_flight: Option<u64>,
    waiting: Option<(u64, Cart, Reply)>,
}

#[derive(Clone)]
pub struct Pricer {
    state: Arc<Mutex<State>>,
    price: PriceFn,
}

fn superseded() -> IpcError {
    IpcError::new(ErrorCode::Superseded, "a newer cart replaced this one")
}

impl Pricer {
    pub fn new(price: PriceFn) -> Pricer {
        Pricer {
            state: Arc::new(Mutex::new(State::default())),
            price,
        }
    }

    /// Prices `cart` (revision `rev`) or returns `Superseded` if a newer cart arrives first.
    pub async fn price(&self, rev: u64, cart: Cart) -> Result<(u64, Quote), IpcError> {
        let (tx, rx) = oneshot::channel();
        let start_now = {
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let newest_known = st.waiting.as_ref().map(|w| w.0).max(st.in_flight);
            if newest_known.is_some_and(|n| n > rev) {
                // An older cart arrived late: the newer one stands.
                return Err(superseded());
            }
            if let Some((_, _, old_tx)) = st.waiting.take() {
                let _ = old_tx.send(Err(superseded()));
            }
            if st.in_flight.is_some() {
                st.waiting = Some((rev, cart.clone(), tx));
                None
            } else {
                st.in_flight = Some(rev);
                Some(tx)
            }
        };
        if let Some(tx) = start_now {
            self.clone().spawn_run(rev, cart, tx);
        }
        rx.await
            .unwrap_or_else(|_| Err(IpcError::new(ErrorCode::Internal, "pricing stopped")))
    }

    /// Runs requests until none is waiting. Spawned so that a caller going away (the UI
    /// navigated off) never leaves `in_flight` set.
    fn spawn_run(self, rev: u64, cart: Cart, tx: Reply) {
        tokio::spawn(async move {
            let (mut rev, mut cart, mut tx) = (rev, cart, tx);
            loop {
                let result = (self.price)(cart).await.map(|q| (rev, q));
                let next = {
                    let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
                    let next = st.waiting.take();
                    st.in_flight = next.as_ref().map(|n| n.0);
                    next
                };
                match next {
                    // A newer cart is waiting: this answer is already stale.
                    Some(n) => {
                        let _ = tx.send(Err(superseded()));
                        (rev, cart, tx) = n;
                    }
                    None => {
                        let _ = tx.send(result);
                        return;
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::cart::CartLine;
    use kiosk_core::pricing::QuoteSource;
    use kiosk_core::Money;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn cart(n: u32) -> Cart {
        Cart {
            lines: vec![CartLine {
                dish: "d".into(),
                qty: n,
                modifiers: vec![],
                comment: None,
                combo: vec![],
            }],
            ..Default::default()
        }
    }

    /// A POS that takes 100 ms and prices each portion at 10.
    fn slow_pos(calls: Arc<AtomicUsize>) -> PriceFn {
        Arc::new(move |c: Cart| {
            let calls = calls.clone();
            Box::pin(async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                let total = Money::from(10).times(c.lines[0].qty);
                Ok(Quote {
                    source: QuoteSource::Pos,
                    lines: vec![],
                    adjustments: vec![],
                    subtotal: total,
                    total,
                })
            })
        })
    }

    #[tokio::test(start_paused = true)]
    async fn bursts_coalesce_into_one_follow_up_and_stale_answers_are_dropped() {
        let calls = Arc::new(AtomicUsize::new(0));
        let p = Pricer::new(slow_pos(calls.clone()));
        let first = tokio::spawn({
            let p = p.clone();
            async move { p.price(1, cart(1)).await }
        });
        tokio::task::yield_now().await;
        let mut later = Vec::new();
        for rev in 2..=5 {
            let p = p.clone();
            later.push(tokio::spawn(
                async move { p.price(rev, cart(rev as u32)).await },
            ));
            tokio::task::yield_now().await;
        }
        // The first answer is stale (carts 2..5 arrived while it ran).
        let first = first.await.unwrap();
        assert_eq!(first.unwrap_err().code, ErrorCode::Superseded);
        let mut results = Vec::new();
        for h in later {
            results.push(h.await.unwrap());
        }
        for r in &results[..3] {
            assert_eq!(r.as_ref().unwrap_err().code, ErrorCode::Superseded);
        }
        let (rev, q) = results[3].clone().unwrap();
        assert_eq!(rev, 5);
        assert_eq!(q.total.to_string(), "50.00");
        // One request for the first cart, one follow-up for the newest: never five.
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_older_cart_never_replaces_a_newer_one() {
        let calls = Arc::new(AtomicUsize::new(0));
        let p = Pricer::new(slow_pos(calls.clone()));
        let newer = tokio::spawn({
            let p = p.clone();
            async move { p.price(10, cart(2)).await }
        });
        tokio::task::yield_now().await;
        assert_eq!(
            p.price(9, cart(9)).await.unwrap_err().code,
            ErrorCode::Superseded
        );
        assert_eq!(newer.await.unwrap().unwrap().0, 10);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_single_request_gets_its_answer() {
        let calls = Arc::new(AtomicUsize::new(0));
        let p = Pricer::new(slow_pos(calls.clone()));
        let (rev, q) = p.price(7, cart(3)).await.unwrap();
        assert_eq!((rev, q.total.to_string()), (7, "30.00".to_string()));
        // And the pricer is free again afterwards.
        let (rev, _) = p.price(8, cart(1)).await.unwrap();
        assert_eq!(rev, 8);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
