//! The engine: the kiosk's services wired together from its settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{self, Cart};
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::order::PosInfo;
use kiosk_core::ports::{PaymentProvider, Pos};
use kiosk_core::pricing;
use kiosk_core::view::{AppInfo, CheckoutResult, MenuHealth, MenuView, OrderView, PricedCart};
use kiosk_core::Money;

use crate::callbacks::CallbackListener;
use crate::checkout::{CheckoutSettings, Checkouts, EventSink};
use crate::config::KioskConfig;
use crate::images::{ImageCache, ImageSize};
use crate::journal::Journal;
use crate::menu::MenuService;
use crate::pricer::{PriceFn, Pricer};
use crate::secrets::SecretStore;
use crate::tracker::Tracker;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the data folder {path} cannot be used: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Pos(String),
    #[error("{0}")]
    Payment(String),
    #[error("{0}")]
    Secret(#[from] crate::secrets::SecretError),
}

/// Tunables that tests shorten; the defaults are the production values.
#[derive(Debug, Clone)]
pub struct Timings {
    pub track_every: Duration,
    pub backoff: Vec<Duration>,
    pub payment_resolve_for: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            track_every: Duration::from_secs(3),
            backoff: CheckoutSettings::default_backoff(),
            payment_resolve_for: Duration::from_secs(120),
        }
    }
}

pub struct Engine {
    pub config: KioskConfig,
    pub pos: Arc<dyn Pos>,
    pub menu: Arc<MenuService>,
    pub images: Arc<ImageCache>,
    /// `Err` holds why the kiosk cannot take payments (the journal is unusable).
    pub checkouts: Result<Arc<Checkouts>, String>,
    pricer: Pricer,
    provider_name: &'static str,
    timings: Timings,
    callbacks: std::sync::Mutex<Option<CallbackListener>>,
    /// Where ProCart sends this kiosk's order notifications, when they are on.
    pub callback_url: Option<String>,
    /// The order tracker, shared by its polling loop and the notification listener.
    pub tracker: Option<Arc<Tracker>>,
    /// The receipt printer (slips, the check before payments, the staff alert); `None` when
    /// the journal is unusable (no checkouts, nothing to print).
    pub printing: Option<Arc<crate::printing::Printing>>,
    /// The order board's memory (when each order turned ready) and POS polling.
    board: crate::board::Board,
}

/// The keyring entry holding the notification path secret.
pub const CALLBACK_SECRET: &str = "callback-secret";

impl Engine {
    /// Builds the POS adapter and the payment provider from the settings and the secrets.
    pub fn from_config(
        config: KioskConfig,
        secrets: &dyn SecretStore,
        timings: Timings,
    ) -> Result<Arc<Engine>, EngineError> {
        let pos = crate::pos::build(&config, secrets)?;
        let data_dir = config
            .kiosk
            .data_dir
            .clone()
            .unwrap_or_else(default_data_dir);
        let provider = crate::pos::build_provider_with_secrets(&config, secrets, &data_dir)?;
        let callbacks = match &config.callbacks {
            Some(c) => {
                // The path secret is per kiosk and long-lived: ProCart keeps the URL of every
                // order it was given. It lives in the keyring like every other secret.
                let secret = match secrets.get(CALLBACK_SECRET)? {
                    Some(s) => s,
                    None => {
                        let s = crate::callbacks::new_secret();
                        secrets.set(CALLBACK_SECRET, &s)?;
                        s
                    }
                };
                let l = CallbackListener::bind(&c.listen, c.public_url.as_deref(), secret)
                    .map_err(|e| {
                        EngineError::Pos(format!(
                            "cannot listen for ProCart notifications on {}: {e}",
                            c.listen
                        ))
                    })?;
                Some(l)
            }
            None => None,
        };
        Engine::build(config, pos, provider, timings, callbacks)
    }

    pub fn new(
        config: KioskConfig,
        pos: Arc<dyn Pos>,
        provider: Arc<dyn PaymentProvider>,
        timings: Timings,
    ) -> Result<Arc<Engine>, EngineError> {
        Engine::build(config, pos, provider, timings, None)
    }

    fn build(
        config: KioskConfig,
        pos: Arc<dyn Pos>,
        provider: Arc<dyn PaymentProvider>,
        timings: Timings,
        callbacks: Option<CallbackListener>,
    ) -> Result<Arc<Engine>, EngineError> {
        let data_dir = config
            .kiosk
            .data_dir
            .clone()
            .unwrap_or_else(default_data_dir);
        std::fs::create_dir_all(&data_dir).map_err(|source| EngineError::DataDir {
            path: data_dir.clone(),
            source,
        })?;
        let menu = Arc::new(MenuService::new(
            pos.clone(),
            Some(data_dir.join("menu-snapshot.json")),
        ));
        let images = Arc::new(ImageCache::new(data_dir.join("images"), 4).map_err(|e| {
            EngineError::DataDir {
                path: data_dir.join("images"),
                source: std::io::Error::other(e.to_string()),
            }
        })?);
        let settings = CheckoutSettings {
            kiosk_id: config.kiosk.id.clone(),
            tender: config.payment.tender.clone(),
            eat_in_category: config.order_types.category(cart::OrderType::EatIn),
            takeaway_category: config.order_types.category(cart::OrderType::Takeaway),
            table: config.pos.table.clone(),
            callback_url: callbacks.as_ref().map(|c| c.url.clone()),
            backoff: timings.backoff.clone(),
            payment_resolve_for: timings.payment_resolve_for,
            // By then the customer screen has gone back to the start (idle + its countdown).
            confirm_within: Duration::from_secs(
                u64::from(config.kiosk.idle_timeout_s) + u64::from(config.kiosk.idle_countdown_s),
            ),
        };
        // The pricer asks the POS with the same order context the checkout will use.
        let order_settings = settings.clone();
        let provider_name = provider.name();
        let checkouts = match Journal::open(&data_dir.join("journal.db")) {
            Ok(j) => Ok(Checkouts::new(
                Arc::new(j),
                pos.clone(),
                provider,
                // Paying at the counter needs no set-up, so its checkouts can always be finished.
                vec![Arc::new(payments::counter::CounterProvider) as Arc<dyn PaymentProvider>],
                menu.clone(),
                settings,
            )),
            Err(e) => {
                tracing::error!(error = %e, "the order journal is unusable; payments are refused");
                Err(e.to_string())
            }
        };
        // The receipt printer: asked before payments, prints the slip after them.
        let printing = checkouts.as_ref().ok().map(|c| {
            let p = Arc::new(crate::printing::Printing::new(
                config.printer.as_ref().and_then(|p| p.settings()),
                c.journal.clone(),
                pos.clone(),
                config.kiosk.restaurant_name.clone(),
            ));
            c.set_printing(p.clone());
            p
        });
        let pricer = {
            let pos = pos.clone();
            let menu = menu.clone();
            let price: PriceFn = Arc::new(move |cart: Cart| {
                let pos = pos.clone();
                let menu = menu.clone();
                let ctx = order_settings.context(cart.order_type);
                Box::pin(async move {
                    let m = menu
                        .get()
                        .await
                        .map_err(|e| IpcError::new(ErrorCode::MenuUnavailable, e.to_string()))?;
                    Ok(pos.price(&m.catalog, &cart, &ctx).await?)
                })
            });
            Pricer::new(price)
        };
        let tracker = checkouts
            .as_ref()
            .ok()
            .map(|c| Arc::new(Tracker::new(c.clone(), pos.clone())));
        let pos_for_board = pos.clone();
        Ok(Arc::new(Engine {
            config,
            pos,
            menu,
            images,
            checkouts,
            pricer,
            provider_name,
            timings,
            tracker,
            printing,
            board: crate::board::Board::new(pos_for_board, Default::default()),
            callback_url: callbacks.as_ref().map(|c| c.url.clone()),
            callbacks: std::sync::Mutex::new(callbacks),
        }))
    }

    /// Starts the background work: menu refresh (and image prefetch), order tracking, and the
    /// resumption of every checkout a crash interrupted.
    pub fn start_background(self: &Arc<Self>) {
        let every = Duration::from_secs(self.config.menu.refresh_s.max(1));
        let me = self.clone();
        tokio::spawn(async move {
            let mut versions = me.menu.subscribe();
            let refresher = me.menu.clone();
            tokio::spawn(refresher.run_refresher(every));
            loop {
                if let Some(m) = me.menu.current() {
                    let urls = image_urls(&m.catalog);
                    me.images.clone().prefetch(urls).await;
                }
                if versions.changed().await.is_err() {
                    return;
                }
            }
        });
        if let Ok(c) = &self.checkouts {
            // Money that arrives after a checkout gave up is never kept silently.
            let every = self
                .timings
                .backoff
                .last()
                .copied()
                .unwrap_or(Duration::from_secs(60))
                .clamp(Duration::from_millis(250), Duration::from_secs(60));
            tokio::spawn(crate::payment_watch::watch_late_payments(c.clone(), every));
            // Slips a restart interrupted are marked failed before anything prints again.
            if let Some(p) = &self.printing {
                match p.recover() {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(count = n, "slips not printed before the restart"),
                    Err(e) => tracing::error!(error = %e, "cannot recover the slips"),
                }
                tokio::spawn(p.clone().watch(crate::printing::WATCH_EVERY));
            }
            match c.resume_all() {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "resumed unfinished checkouts"),
                Err(e) => tracing::error!(error = %e, "cannot resume checkouts"),
            }
            if let Some(tracker) = &self.tracker {
                tokio::spawn(tracker.clone().run(self.timings.track_every));
                let listener = self
                    .callbacks
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take();
                if let Some(l) = listener {
                    let journal = c.journal.clone();
                    let tracker = tracker.clone();
                    tokio::spawn(async move {
                        if let Err(e) = l.serve(journal, tracker).await {
                            tracing::error!(error = %e, "the notification listener stopped");
                        }
                    });
                }
            }
        }
    }

    pub async fn menu_view(&self) -> Result<MenuView, IpcError> {
        let m = self
            .menu
            .get()
            .await
            .map_err(|e| IpcError::new(ErrorCode::MenuUnavailable, e.to_string()))?;
        let age = m.age_s();
        Ok(MenuView::build((*m.catalog).clone(), age))
    }

    pub fn menu_health(&self) -> Option<MenuHealth> {
        self.menu.current().map(|m| MenuHealth {
            version: m.catalog.version.clone(),
            age_s: m.age_s(),
            stale: m.age_s() > 3 * self.config.menu.refresh_s,
            faults: m.catalog.faults.clone(),
        })
    }

    /// The instant local estimate, with the rule problems the customer must fix.
    pub async fn estimate(&self, revision: u64, cart: Cart) -> Result<PricedCart, IpcError> {
        let m = self
            .menu
            .get()
            .await
            .map_err(|e| IpcError::new(ErrorCode::MenuUnavailable, e.to_string()))?;
        let problems = cart::check(&m.catalog, &cart).err().unwrap_or_default();
        Ok(PricedCart {
            revision,
            quote: pricing::estimate(&m.catalog, &cart),
            changes: vec![],
            problems,
        })
    }

    /// The POS's price; `Superseded` when a newer cart replaced this one meanwhile.
    pub async fn price(&self, revision: u64, cart: Cart) -> Result<PricedCart, IpcError> {
        let m = self
            .menu
            .get()
            .await
            .map_err(|e| IpcError::new(ErrorCode::MenuUnavailable, e.to_string()))?;
        if let Err(problems) = cart::check(&m.catalog, &cart) {
            return Err(IpcError::cart(problems));
        }
        let (revision, quote) = self
            .pricer
            .price(revision, cart.clone())
            .await
            .map_err(|e| with_unavailable_lines(e, &m.catalog, &cart))?;
        Ok(PricedCart {
            revision,
            changes: pricing::price_changes(&m.catalog, &quote),
            quote,
            problems: vec![],
        })
    }

    fn checkouts(&self) -> Result<&Arc<Checkouts>, IpcError> {
        self.checkouts.as_ref().map_err(|why| {
            IpcError::new(
                ErrorCode::JournalUnavailable,
                format!("payments are refused: {why}"),
            )
        })
    }

    pub async fn checkout(
        &self,
        cart: Cart,
        expected_total: Money,
        events: EventSink,
    ) -> Result<CheckoutResult, IpcError> {
        self.checkouts()?
            .checkout(cart, expected_total, events)
            .await
    }

    /// [`Engine::checkout`] with the guest's answers (going on without a slip).
    pub async fn checkout_with(
        &self,
        cart: Cart,
        expected_total: Money,
        events: EventSink,
        options: crate::checkout::CheckoutOptions,
    ) -> Result<CheckoutResult, IpcError> {
        self.checkouts()?
            .checkout_with(cart, expected_total, events, options)
            .await
    }

    /// The receipt printer's problem, while it has one (the staff screens' alert).
    pub fn printer_alert(&self) -> Option<kiosk_core::view::PrinterAlert> {
        self.printing.as_ref().and_then(|p| p.alert())
    }

    /// The customer's "Cancel" while a QR code is on screen: stops waiting and closes the QR
    /// (`payment_watch.rs`). `false` when no payment can be stopped from the screen (none is
    /// running, or it is a card payment, which the customer cancels on the terminal).
    pub fn cancel_payment(&self) -> Result<bool, IpcError> {
        Ok(self.checkouts()?.cancel_payment())
    }

    pub fn order_view(&self, checkout_id: &str) -> Result<OrderView, IpcError> {
        let c = self.checkouts()?;
        let rec = c
            .journal
            .get(checkout_id)
            .map_err(|e| IpcError::new(ErrorCode::NotFound, e.to_string()))?;
        Ok(Checkouts::view(&rec))
    }

    /// The order board (a second display): the orders being prepared and the ones ready, from
    /// the POS's orders of the day and this device's journal (`board.rs`). Never an error: a
    /// POS that does not answer shows as `pos_reachable: false` with what is known.
    pub async fn order_board(&self) -> kiosk_core::board::BoardView {
        let journal = self.checkouts.as_ref().ok().map(|c| c.journal.clone());
        self.board.view(journal.as_deref()).await
    }

    pub fn subscribe_orders(&self) -> Option<tokio::sync::broadcast::Receiver<OrderView>> {
        self.checkouts.as_ref().ok().map(|c| c.subscribe())
    }

    pub async fn ping(&self) -> Result<PosInfo, IpcError> {
        Ok(self.pos.ping().await?)
    }

    /// The picture of a dish, combo or section, resized for `size`.
    pub async fn image(&self, kind: &str, id: &str, size: &str) -> Result<Vec<u8>, IpcError> {
        let size = ImageSize::parse(size).ok_or_else(|| {
            IpcError::new(ErrorCode::BadInput, format!("unknown image size {size:?}"))
        })?;
        let m = self
            .menu
            .current()
            .ok_or_else(|| IpcError::new(ErrorCode::MenuUnavailable, "no menu yet"))?;
        let c = &m.catalog;
        let url = match kind {
            "dish" => c.dish(id).and_then(|d| d.image_url.clone()),
            "combo" => c.combo(id).and_then(|d| d.image_url.clone()),
            "section" => c
                .sections
                .iter()
                .find(|s| s.id == id)
                .and_then(|s| s.image_url.clone()),
            _ => {
                return Err(IpcError::new(
                    ErrorCode::BadInput,
                    format!("unknown image kind {kind:?}"),
                ))
            }
        }
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("no picture for {kind} {id}")))?;
        self.images
            .get(&url, size)
            .await
            .map_err(|e| IpcError::new(ErrorCode::NotFound, e.to_string()))
    }

    pub fn app_info(&self, demo: bool) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            demo,
            pos: self.config.pos.kind.as_str().to_string(),
            payment: self.provider_name.to_string(),
            languages: self.config.kiosk.languages.clone(),
            default_language: self
                .config
                .kiosk
                .languages
                .first()
                .cloned()
                .unwrap_or_else(|| "ru".into()),
            order_types: self.config.order_types.offered.clone(),
            idle_timeout_s: self.config.kiosk.idle_timeout_s,
            idle_countdown_s: self.config.kiosk.idle_countdown_s,
            confirmation_timeout_s: self.config.kiosk.confirmation_timeout_s,
            restaurant_name: self.config.kiosk.restaurant_name.clone(),
            out_of_service: self.checkouts.as_ref().err().cloned(),
            mode: self.config.kiosk.mode,
        }
    }
}

/// A POS refusal names the dish it has run out of; the UI needs the cart lines that hold it.
fn with_unavailable_lines(
    mut e: IpcError,
    catalog: &kiosk_core::catalog::Catalog,
    cart: &Cart,
) -> IpcError {
    if e.code != ErrorCode::DishUnavailable {
        return e;
    }
    let Some(dish) = e.dish.clone() else { return e };
    for (i, line) in cart.lines.iter().enumerate() {
        if line.dish == dish || line.combo.iter().any(|p| p.dish == dish) {
            let name = catalog
                .dish(&dish)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| dish.clone());
            e.problems.push(cart::CartProblem::Unavailable {
                line: i as u32 + 1,
                dish: dish.clone(),
                name,
            });
        }
    }
    e
}

fn image_urls(c: &kiosk_core::catalog::Catalog) -> Vec<String> {
    c.dishes
        .iter()
        .filter_map(|d| d.image_url.clone())
        .chain(c.combos.iter().filter_map(|x| x.image_url.clone()))
        .collect()
}

pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("kiosk")
}
