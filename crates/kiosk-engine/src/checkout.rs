//! The checkout runner: pay, then create the order in the POS, exactly once, surviving crashes.
//!
//! The rule is *journal first, side effect second*: each state is committed before the action
//! it announces. So after a crash the journal tells what may be in doubt, and [`Checkouts::drive`]
//! resolves it the safe way:
//! - `PaymentStarted`: ask the provider what became of the attempt (never charge again blindly).
//! - `Posting`: look the order up in the POS by our external id before posting again; post
//!   again only when the POS surely has no such order.
//! - A POS that refuses the order for good → refund, tell the customer, flag for staff.
//! - A POS that is merely unreachable is never a reason to refund: keep trying with back-off.
//! - Anything still unresolved past its state's deadline goes to `NeedsStaff`.
//!
//! The receipt printer is asked before the payment ([`crate::printing`]): a printer that cannot
//! print stops the checkout before any charge unless the guest agreed to go on without a slip.
//! The slip itself is printed once the order is `Posted`, in a task that never touches the
//! order.
//!
//! On a POS that submits first ([`Pos::submit_first`], Jupiter's strategy B) the order goes to
//! the POS open before the payment and the POS's total is charged: see [`submit_first`].

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use kiosk_core::cart::{self, Cart};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus, PosOrder};
use kiosk_core::payment::{PaymentOutcome, PaymentRecord, PaymentRequest, RefundOutcome};
use kiosk_core::ports::{PaymentProvider, Pos, ProgressSink};
use kiosk_core::pricing;
use kiosk_core::view::{
    CheckoutEvent, CheckoutNotice, CheckoutResult, OrderView, PricedCart, SlipStatus,
};
use kiosk_core::{Money, PosError};
use tokio::sync::broadcast;

use crate::crashpoint;
use crate::journal::{Changes, CheckoutRecord, Journal, JournalError, NewCheckout};
use crate::menu::MenuService;
use crate::printing::{Printing, SlipPlan};

mod submit_first;

/// Settings the checkout needs from the kiosk's configuration.
#[derive(Debug, Clone)]
pub struct CheckoutSettings {
    pub kiosk_id: String,
    /// The POS tender for the payment provider.
    pub tender: String,
    pub eat_in_category: Option<String>,
    pub takeaway_category: Option<String>,
    pub table: Option<String>,
    pub callback_url: Option<String>,
    /// Waits between attempts to reach the POS or the provider; the last one repeats.
    pub backoff: Vec<Duration>,
    /// How long to keep asking the provider about a payment whose answer was lost.
    pub payment_resolve_for: Duration,
    /// Submit first: how long an order sent open waits for the customer to accept the POS's
    /// total before it goes to staff (the screen's idle reset: the customer has left).
    pub confirm_within: Duration,
}

impl CheckoutSettings {
    pub fn context(&self, order_type: cart::OrderType) -> OrderContext {
        OrderContext {
            order_category: match order_type {
                cart::OrderType::EatIn => self.eat_in_category.clone(),
                cart::OrderType::Takeaway => self.takeaway_category.clone(),
            },
            order_kind: None,
            table: self.table.clone(),
            guests: Some(1),
        }
    }

    pub fn default_backoff() -> Vec<Duration> {
        [1, 2, 5, 10, 30, 60]
            .into_iter()
            .map(Duration::from_secs)
            .collect()
    }
}

pub type EventSink = Arc<dyn Fn(CheckoutEvent) + Send + Sync>;

/// The guest's answers that change how a checkout runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckoutOptions {
    /// The guest was told the printer cannot print and chose to pay without a slip.
    pub without_slip: bool,
}

pub struct Checkouts {
    pub journal: Arc<Journal>,
    pos: Arc<dyn Pos>,
    /// The provider new checkouts pay with.
    provider: Arc<dyn PaymentProvider>,
    /// Every provider this kiosk can still talk to, by name: a checkout is always finished by
    /// the provider that started it, never by whichever one is configured now.
    providers: Vec<Arc<dyn PaymentProvider>>,
    menu: Arc<MenuService>,
    settings: CheckoutSettings,
    updates: broadcast::Sender<OrderView>,
    /// The receipt printer's service, once the engine has plugged it in.
    printing: OnceLock<Arc<Printing>>,
    /// The payment in progress, which the customer may walk away from (a QR code).
    pub(crate) active: crate::payment_watch::ActivePayments,
    /// Submit first: the order sent open that waits for the customer to accept its total.
    awaiting: submit_first::Awaiting,
}

fn journal_err(e: JournalError) -> IpcError {
    tracing::error!(error = %e, "journal failure");
    IpcError::new(ErrorCode::JournalUnavailable, e.to_string())
}

/// What a single attempt to create the order ended in.
enum PostResult {
    Posted(CheckoutRecord),
    /// Refused for good; the record is now `Refunding`.
    Refused(CheckoutRecord),
    /// Still in doubt or the POS is down; try again later.
    Retry(CheckoutRecord, PosError),
}

impl Checkouts {
    pub fn new(
        journal: Arc<Journal>,
        pos: Arc<dyn Pos>,
        provider: Arc<dyn PaymentProvider>,
        others: Vec<Arc<dyn PaymentProvider>>,
        menu: Arc<MenuService>,
        settings: CheckoutSettings,
    ) -> Arc<Checkouts> {
        let mut providers = vec![provider.clone()];
        providers.extend(others.into_iter().filter(|o| o.name() != provider.name()));
        let (updates, _) = broadcast::channel(64);
        Arc::new(Checkouts {
            journal,
            pos,
            provider,
            providers,
            menu,
            settings,
            updates,
            printing: OnceLock::new(),
            active: Default::default(),
            awaiting: Default::default(),
        })
    }

    /// Plugs in the receipt printer: the check before payments and the slip after them.
    pub fn set_printing(&self, printing: Arc<Printing>) {
        let _ = self.printing.set(printing);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OrderView> {
        self.updates.subscribe()
    }

    pub fn provider_name(&self) -> &'static str {
        self.provider.name()
    }

    pub fn view(rec: &CheckoutRecord) -> OrderView {
        OrderView {
            checkout_id: rec.id.clone(),
            number: rec.pos_number.clone().unwrap_or_else(|| rec.number.clone()),
            state: rec.state,
            pos_order_id: rec.pos_order_id.clone(),
            pos_status: rec.pos_status.as_deref().map(OrderStatus::parse),
            total: rec.total,
            order_type: rec.order_type,
            pay_at_counter: rec.pay_at_counter,
            notice: rec.notice.clone(),
            slip: rec.slip,
        }
    }

    /// Publishes a record changed outside the state machine (a new POS status).
    pub fn republish(&self, rec: &CheckoutRecord) {
        self.publish(rec);
    }

    fn publish(&self, rec: &CheckoutRecord) {
        let _ = self.updates.send(Self::view(rec));
    }

    pub(crate) fn step(
        &self,
        rec: &CheckoutRecord,
        to: CheckoutState,
        changes: Changes,
        detail: Option<&str>,
    ) -> Result<CheckoutRecord, JournalError> {
        let next = self
            .journal
            .transition(&rec.id, rec.state, to, changes, detail)?;
        tracing::info!(checkout = %rec.id, from = rec.state.as_str(), to = to.as_str(), detail = detail.unwrap_or(""), "checkout step");
        self.publish(&next);
        Ok(next)
    }

    /// The customer's "Pay" tap: price again, charge exactly that, create the order.
    /// Returns once the outcome is known to the customer; an order still being sent keeps
    /// going in the background.
    pub async fn checkout(
        self: &Arc<Self>,
        cart: Cart,
        expected_total: Money,
        events: EventSink,
    ) -> Result<CheckoutResult, IpcError> {
        self.checkout_with(cart, expected_total, events, CheckoutOptions::default())
            .await
    }

    /// [`Checkouts::checkout`] with the guest's answers (e.g. going on without a slip).
    pub async fn checkout_with(
        self: &Arc<Self>,
        cart: Cart,
        expected_total: Money,
        events: EventSink,
        options: CheckoutOptions,
    ) -> Result<CheckoutResult, IpcError> {
        let menu = self
            .menu
            .get()
            .await
            .map_err(|e| IpcError::new(ErrorCode::MenuUnavailable, e.to_string()))?;
        cart::check(&menu.catalog, &cart).map_err(IpcError::cart)?;
        // Submit first: this "Pay" may answer the POS's total of an order already sent open.
        match self
            .answer_waiting(&cart, expected_total, &menu.catalog)
            .map_err(journal_err)?
        {
            Some(Ok(rec)) => return self.pay_and_place(rec, events, &menu.catalog).await,
            Some(Err(result)) => return Ok(result),
            None => {}
        }
        let ctx = self.settings.context(cart.order_type);
        let quote = self.pos.price(&menu.catalog, &cart, &ctx).await?;
        if quote.total != expected_total {
            // The customer saw another amount: show the new one, charge nothing.
            return Ok(CheckoutResult::PriceChanged {
                quote: PricedCart {
                    revision: 0,
                    changes: pricing::price_changes(&menu.catalog, &quote),
                    quote,
                    problems: vec![],
                },
            });
        }

        // Before anything is charged: can the guest's slip be printed?
        let slip = match self.printing.get() {
            Some(p) => p.before_payment(options.without_slip).await?,
            None => SlipPlan::NONE,
        };

        let id = uuid::Uuid::new_v4().simple().to_string();
        let external_id = format!("{}-{}", self.settings.kiosk_id, &id[..12]);
        let attempt_id = format!("{id}-1");
        crashpoint::hit("before_priced_write");
        let rec = self
            .journal
            .create(&NewCheckout {
                id: &id,
                order_type: cart.order_type,
                cart: &cart,
                quote: &quote,
                provider: self.provider.name(),
                attempt_id: &attempt_id,
                external_id: &external_id,
            })
            .map_err(journal_err)?;
        let rec = match self.printing.get() {
            Some(p) if slip.status != SlipStatus::None => {
                p.record_plan(&rec.id, slip).map_err(journal_err)?;
                CheckoutRecord {
                    slip: slip.status,
                    ..rec
                }
            }
            _ => rec,
        };
        crashpoint::hit("after_priced_write");
        let rec = if self.pos.submit_first() {
            match self
                .submit_open(rec, expected_total, &events, &menu.catalog)
                .await?
            {
                Ok(rec) => rec,
                Err(result) => return Ok(result),
            }
        } else {
            rec
        };
        self.pay_and_place(rec, events, &menu.catalog).await
    }

    /// From the payment on (the record is `Priced`, or `Submitted` when submitting first):
    /// charge the record's total, then create (or close) the order in the POS.
    async fn pay_and_place(
        self: &Arc<Self>,
        rec: CheckoutRecord,
        events: EventSink,
        catalog: &kiosk_core::catalog::Catalog,
    ) -> Result<CheckoutResult, IpcError> {
        // Journal first: from here on a crash leaves a payment "in doubt", which the resume
        // path resolves by asking the provider.
        let rec = self
            .step(
                &rec,
                CheckoutState::PaymentStarted,
                Changes::default(),
                None,
            )
            .map_err(journal_err)?;
        crashpoint::hit("after_payment_started_write");
        events(CheckoutEvent::State { state: rec.state });
        // The payment in progress: what the screen shows, and the customer's "Cancel" of a QR.
        let active = self.active.begin();
        let watch = active.watch();
        let sink: ProgressSink = {
            let events = events.clone();
            let watch = watch.clone();
            Arc::new(move |p| {
                watch.saw(&p);
                events(CheckoutEvent::Payment { progress: p })
            })
        };
        let req = PaymentRequest {
            attempt_id: rec.attempt_id.clone(),
            order_ref: rec.external_id.clone(),
            amount: rec.total,
            description: format!("Order {}", rec.number),
        };
        let provider = self.provider.as_ref();
        let outcome = match watch.run(provider.start(&req, sink)).await {
            // The QR expired on screen, or the customer walked away from it: close it.
            Some(Ok(PaymentOutcome::Pending)) if watch.expired() => {
                self.abandon_payment(provider, &rec).await
            }
            None => self.abandon_payment(provider, &rec).await,
            Some(Ok(PaymentOutcome::Pending) | Err(_)) => {
                self.resolve_payment(provider, &rec).await
            }
            Some(Ok(o)) => o,
        };
        drop(active);
        crashpoint::hit("after_payment_call");
        let rec = match self.apply_payment(rec, outcome).map_err(journal_err)? {
            Ok(rec) => rec,
            Err(result) => return Ok(result),
        };
        crashpoint::hit("after_paid_write");
        events(CheckoutEvent::State { state: rec.state });

        // Paid: the order must now reach the POS, whatever it takes.
        let rec = self
            .step(
                &rec,
                CheckoutState::Posting,
                Changes {
                    count_post_attempt: true,
                    ..Default::default()
                },
                None,
            )
            .map_err(journal_err)?;
        events(CheckoutEvent::State { state: rec.state });
        let rec = match self.post_once(rec, catalog).await.map_err(journal_err)? {
            PostResult::Posted(rec) => rec,
            PostResult::Refused(rec) => {
                // A refusal is refunded; an order the POS holds at another total went to staff
                // and is never refunded behind their back.
                let rec = if rec.state == CheckoutState::Refunding {
                    self.refund(rec).await.map_err(journal_err)?
                } else {
                    rec
                };
                return Ok(CheckoutResult::Placed {
                    order: Self::view(&rec),
                });
            }
            PostResult::Retry(rec, err) => {
                tracing::warn!(checkout = %rec.id, error = %err, "order not sent yet; retrying in the background");
                let rec = self
                    .journal
                    .transition(
                        &rec.id,
                        rec.state,
                        CheckoutState::Posting,
                        Changes {
                            notice: Some(Some(CheckoutNotice::PaidSending)),
                            ..Default::default()
                        },
                        Some("first attempt failed"),
                    )
                    .map_err(journal_err)?;
                let me = self.clone();
                let background = rec.clone();
                tokio::spawn(async move { me.drive(background).await });
                return Ok(CheckoutResult::Placed {
                    order: Self::view(&rec),
                });
            }
        };
        events(CheckoutEvent::State { state: rec.state });
        Ok(CheckoutResult::Placed {
            order: Self::view(&rec),
        })
    }

    /// Applies a payment outcome: `Ok(rec)` when paid, `Err(result)` for the customer when not.
    fn apply_payment(
        &self,
        rec: CheckoutRecord,
        outcome: PaymentOutcome,
    ) -> Result<Result<CheckoutRecord, CheckoutResult>, JournalError> {
        if rec.open_in_pos_unpaid() {
            // Submitted first: the order is open in the POS, so an unpaid end is for staff.
            if let Some(result) = self.payment_not_taken(&rec, &outcome)? {
                return Ok(Err(result));
            }
        }
        match outcome {
            PaymentOutcome::Approved { receipt } => {
                if receipt.amount != rec.total {
                    // Never post an order for a different amount than was charged.
                    let reason =
                        format!("charged {} but the order is {}", receipt.amount, rec.total);
                    let rec = self.step(
                        &rec,
                        CheckoutState::NeedsStaff,
                        Changes {
                            receipt: Some(receipt),
                            notice: Some(Some(CheckoutNotice::AskStaff {
                                reason: reason.clone(),
                            })),
                            ..Default::default()
                        },
                        Some(&reason),
                    )?;
                    return Ok(Err(CheckoutResult::Placed {
                        order: Self::view(&rec),
                    }));
                }
                Ok(Ok(self.step(
                    &rec,
                    CheckoutState::Paid,
                    Changes {
                        receipt: Some(receipt),
                        ..Default::default()
                    },
                    None,
                )?))
            }
            PaymentOutcome::PayAtCounter => Ok(Ok(self.step(
                &rec,
                CheckoutState::Paid,
                Changes {
                    pay_at_counter: Some(true),
                    ..Default::default()
                },
                Some("pay at the counter"),
            )?)),
            PaymentOutcome::Declined { reason } => {
                self.step(
                    &rec,
                    CheckoutState::PaymentFailed,
                    Changes::default(),
                    Some(&reason),
                )?;
                Ok(Err(CheckoutResult::PaymentDeclined { reason }))
            }
            PaymentOutcome::Cancelled | PaymentOutcome::NotFound => {
                self.step(
                    &rec,
                    CheckoutState::PaymentFailed,
                    Changes::default(),
                    Some("cancelled"),
                )?;
                Ok(Err(CheckoutResult::PaymentCancelled))
            }
            PaymentOutcome::Pending => {
                let rec = self.to_staff(&rec, "the payment's outcome is still unknown", None)?;
                Ok(Err(CheckoutResult::Placed {
                    order: Self::view(&rec),
                }))
            }
        }
    }

    /// Asks the provider until the attempt's outcome is known or the time is up; then tries to
    /// cancel it so that an unknown payment cannot complete later unnoticed.
    async fn resolve_payment(
        &self,
        provider: &dyn PaymentProvider,
        rec: &CheckoutRecord,
    ) -> PaymentOutcome {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            match provider.status(&rec.attempt_id).await {
                Ok(PaymentOutcome::Pending) | Err(_) => {}
                Ok(o) => return o,
            }
            if started.elapsed() >= self.settings.payment_resolve_for {
                break;
            }
            tokio::time::sleep(self.backoff(attempt)).await;
            attempt += 1;
        }
        match provider.cancel(&rec.attempt_id).await {
            Ok(PaymentOutcome::Cancelled) | Ok(PaymentOutcome::NotFound) => {
                PaymentOutcome::Cancelled
            }
            // The cancel raced an approval: the approval stands and the order goes through.
            Ok(o @ PaymentOutcome::Approved { .. }) => o,
            _ => PaymentOutcome::Pending,
        }
    }

    /// The provider that took this checkout's payment, if this kiosk still has it.
    pub fn provider_for(&self, rec: &CheckoutRecord) -> Option<Arc<dyn PaymentProvider>> {
        self.providers
            .iter()
            .find(|p| p.name() == rec.provider)
            .cloned()
    }

    pub(crate) fn backoff(&self, attempt: usize) -> Duration {
        let b = &self.settings.backoff;
        b.get(attempt)
            .or(b.last())
            .copied()
            .unwrap_or(Duration::from_secs(5))
    }

    pub fn request(&self, rec: &CheckoutRecord) -> OrderRequest {
        let label = match rec.order_type {
            cart::OrderType::EatIn => "Eat in",
            cart::OrderType::Takeaway => "Takeaway",
        };
        let paid = if rec.pay_at_counter {
            "to pay at the counter"
        } else {
            "paid at the kiosk"
        };
        OrderRequest {
            cart: rec.cart.clone(),
            context: self.settings.context(rec.order_type),
            external_id: rec.external_id.clone(),
            expected_total: rec.total,
            payment: rec.receipt.clone().map(|receipt| PaymentRecord {
                tender: self.settings.tender.clone(),
                receipt,
            }),
            comment: Some(format!(
                "{label}, {paid}. Kiosk {} order {}",
                self.settings.kiosk_id, rec.number
            )),
            short_comment: Some(format!("{} #{}", self.settings.kiosk_id, rec.number)),
            callback_url: self.settings.callback_url.clone(),
        }
    }

    /// One attempt to create the order (the record is `Posting`).
    async fn post_once(
        &self,
        rec: CheckoutRecord,
        catalog: &kiosk_core::catalog::Catalog,
    ) -> Result<PostResult, JournalError> {
        crashpoint::hit("after_posting_write");
        let answer = self.pos.place_order(catalog, &self.request(&rec)).await;
        crashpoint::hit("after_post_call");
        match answer {
            Ok(order) => {
                let rec = self.posted(&rec, order)?;
                crashpoint::hit("after_posted_write");
                Ok(PostResult::Posted(rec))
            }
            Err(PosError::TotalMismatch {
                pos_order_id,
                message,
            }) => {
                // The order exists in the POS at another total: never refund or close it
                // silently; staff settle it with the guest.
                let rec = self.to_staff(&rec, &message, Some(pos_order_id))?;
                Ok(PostResult::Refused(rec))
            }
            Err(e) if e.is_refusal() => {
                let reason = e.to_string();
                let rec = self.step(
                    &rec,
                    CheckoutState::Refunding,
                    Changes {
                        notice: Some(Some(CheckoutNotice::Refunding {
                            reason: reason.clone(),
                        })),
                        ..Default::default()
                    },
                    Some(&reason),
                )?;
                crashpoint::hit("after_refunding_write");
                Ok(PostResult::Refused(rec))
            }
            Err(e) => Ok(PostResult::Retry(rec, e)),
        }
    }

    fn posted(
        &self,
        rec: &CheckoutRecord,
        order: PosOrder,
    ) -> Result<CheckoutRecord, JournalError> {
        let rec = self.step(
            rec,
            CheckoutState::Posted,
            Changes {
                pos_order_id: Some(order.pos_order_id),
                pos_number: order.number,
                pos_status: Some(order.status.as_str().to_string()),
                notice: Some(None),
                ..Default::default()
            },
            None,
        )?;
        self.print_slip(&rec);
        Ok(rec)
    }

    /// Prints the guest's slip in a task of its own: the order is placed whatever the printer
    /// does. The slip's progress reaches the screen as order updates.
    fn print_slip(&self, rec: &CheckoutRecord) {
        let Some(printing) = self.printing.get().cloned() else {
            return;
        };
        if rec.slip != SlipStatus::Pending {
            return;
        }
        let journal = self.journal.clone();
        let updates = self.updates.clone();
        let rec = rec.clone();
        tokio::spawn(async move {
            let _ = printing.print_slip(&rec, None).await;
            if let Ok(fresh) = journal.get(&rec.id) {
                let _ = updates.send(Self::view(&fresh));
            }
        });
    }

    pub(crate) async fn refund(&self, rec: CheckoutRecord) -> Result<CheckoutRecord, JournalError> {
        let Some(provider) = self.provider_for(&rec) else {
            return self.unknown_provider(&rec);
        };
        let reason = match &rec.notice {
            Some(CheckoutNotice::Refunding { reason }) => reason.clone(),
            _ => "the restaurant could not accept the order".to_string(),
        };
        let mut attempt = 0;
        loop {
            let answer = provider.refund(&rec.attempt_id, rec.total).await;
            crashpoint::hit("after_refund_call");
            match answer {
                Ok(RefundOutcome::Refunded { reference }) => {
                    return self.step(
                        &rec,
                        CheckoutState::Refunded,
                        Changes {
                            notice: Some(Some(CheckoutNotice::Refunded { reason })),
                            ..Default::default()
                        },
                        Some(&format!("refund {reference}")),
                    );
                }
                Ok(RefundOutcome::Failed { reason: why }) => {
                    let why = format!("refund failed: {why}");
                    return self.to_staff(&rec, &why, None);
                }
                Ok(RefundOutcome::Pending) | Err(_) if attempt < 5 => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                }
                _ => {
                    let why = "the refund could not be confirmed".to_string();
                    return self.to_staff(&rec, &why, None);
                }
            }
        }
    }

    /// Drives a checkout from whatever state the journal holds until it is posted or final.
    /// Used after a crash (for every unfinished checkout) and for orders still being sent.
    pub async fn drive(self: Arc<Self>, mut rec: CheckoutRecord) {
        let entered = Instant::now();
        let mut attempt = 0usize;
        loop {
            let next = match rec.state {
                CheckoutState::Priced => self
                    .step(
                        &rec,
                        CheckoutState::PaymentFailed,
                        Changes::default(),
                        Some("abandoned before payment"),
                    )
                    .map(Some),
                CheckoutState::Submitting => self.resolve_submitting(&rec).await,
                // The customer never paid this order in the POS (the kiosk stopped meanwhile).
                CheckoutState::Submitted => self
                    .not_paid(&rec, "the kiosk stopped before the guest paid", None)
                    .map(Some),
                CheckoutState::PaymentStarted => {
                    let Some(provider) = self.provider_for(&rec) else {
                        let _ = self.unknown_provider(&rec);
                        return;
                    };
                    let outcome = self.resolve_payment(provider.as_ref(), &rec).await;
                    crashpoint::hit("after_payment_call");
                    self.apply_payment(rec.clone(), outcome).map(|r| r.ok())
                }
                CheckoutState::Paid => self
                    .step(
                        &rec,
                        CheckoutState::Posting,
                        Changes {
                            count_post_attempt: true,
                            ..Default::default()
                        },
                        None,
                    )
                    .map(Some),
                CheckoutState::Posting => match self.reconcile(&rec).await {
                    Ok(Some(order)) if rec.pay_at_counter || order.paid >= rec.total => {
                        self.posted(&rec, order).map(Some)
                    }
                    Ok(Some(order)) if !self.pos.resend_is_safe() => {
                        let reason = format!(
                            "the POS has order {} but records {} paid of {}",
                            order.pos_order_id, order.paid, rec.total
                        );
                        self.to_staff(&rec, &reason, Some(order.pos_order_id))
                            .map(Some)
                    }
                    // Found without its payment on a POS that merges resends: send it again.
                    // Surely absent (or incomplete where resending is safe): post again with the
                    // same external id.
                    Ok(_) => match self.menu.get().await {
                        Ok(menu) => match self.post_once(rec.clone(), &menu.catalog).await {
                            Ok(PostResult::Posted(r)) | Ok(PostResult::Refused(r)) => Ok(Some(r)),
                            Ok(PostResult::Retry(r, e)) => {
                                tracing::warn!(checkout = %r.id, error = %e, "order still not sent");
                                Ok(None)
                            }
                            Err(e) => Err(e),
                        },
                        Err(e) => {
                            tracing::warn!(checkout = %rec.id, error = %e, "no menu to send the order with");
                            Ok(None)
                        }
                    },
                    Err(e) => {
                        tracing::warn!(checkout = %rec.id, error = %e, "cannot tell whether the POS has the order");
                        Ok(None)
                    }
                },
                CheckoutState::Refunding => self.refund(rec.clone()).await.map(Some),
                // Posted orders are followed by the tracker; final states need nothing.
                _ => return,
            };
            match next {
                Ok(Some(r)) => {
                    rec = r;
                    attempt = 0;
                }
                Ok(None) => {
                    let deadline = rec.state.deadline_s().map(Duration::from_secs);
                    if deadline.is_some_and(|d| entered.elapsed() >= d) {
                        let reason = format!(
                            "still {} after {:?}",
                            rec.state.as_str(),
                            deadline.unwrap_or_default()
                        );
                        if let Err(e) = self.to_staff(&rec, &reason, None) {
                            tracing::error!(checkout = %rec.id, error = %e, "could not hand the checkout to staff");
                        }
                        return;
                    }
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                    if let Ok(fresh) = self.journal.get(&rec.id) {
                        rec = fresh;
                    }
                }
                Err(e) => {
                    tracing::error!(checkout = %rec.id, error = %e, "journal failure while driving a checkout");
                    return;
                }
            }
        }
    }

    /// Hands a checkout to staff with the reason they will read (the staff alert).
    fn to_staff(
        &self,
        rec: &CheckoutRecord,
        reason: &str,
        pos_order_id: Option<String>,
    ) -> Result<CheckoutRecord, JournalError> {
        self.step(
            rec,
            CheckoutState::NeedsStaff,
            Changes {
                pos_order_id,
                notice: Some(Some(CheckoutNotice::AskStaff {
                    reason: reason.to_string(),
                })),
                ..Default::default()
            },
            Some(reason),
        )
    }

    /// A checkout whose payment provider this kiosk no longer has: only staff can find out what
    /// became of the money.
    fn unknown_provider(&self, rec: &CheckoutRecord) -> Result<CheckoutRecord, JournalError> {
        let reason = format!(
            "the payment provider {:?} that took this payment is not configured on this kiosk",
            rec.provider
        );
        self.to_staff(rec, &reason, None)
    }

    /// Does the POS already have this order? `Ok(None)` only when it surely does not.
    async fn reconcile(&self, rec: &CheckoutRecord) -> Result<Option<PosOrder>, PosError> {
        self.pos.find_order(&rec.external_id).await
    }

    /// Resumes every unfinished checkout (called once at start).
    pub fn resume_all(self: &Arc<Self>) -> Result<usize, JournalError> {
        let open = self.journal.unfinished()?;
        let n = open.len();
        for rec in open {
            tracing::info!(checkout = %rec.id, state = rec.state.as_str(), "resuming checkout");
            let me = self.clone();
            tokio::spawn(async move { me.drive(rec).await });
        }
        Ok(n)
    }
}
