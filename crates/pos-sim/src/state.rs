//! The simulator's shared state and [`SimControl`], the Rust handle over it.
//!
//! Everything sits behind plain `std::sync::Mutex`es: each critical section is a few map
//! lookups and no lock is ever held across an `.await`, so an async mutex would only add cost.
//! Locks are taken one at a time (never nested) except menu → orders in `/postorder`, which is
//! the only place that needs both, so there is no lock-order problem.
//!
//! The HTTP admin endpoints (`/_sim/...`) and [`SimControl`] call the same methods here, so an
//! in-process test and an end-to-end test drive the simulator identically.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use rust_decimal::Decimal;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::faults::{Fault, FaultTable};
use crate::images::ImageCache;
use crate::menu::Menu;
use crate::payment::{PaymentOutcomeMode, PaymentRecordView, PaymentStore};
use crate::procart::orders::{OrderAction, Orders, Status, TransitionError};
use crate::procart::wire::OrderResp;
use crate::{PaymentSimConfig, ProcartSettings, SimConfig};

/// Errors of the control operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("order {0} not found")]
    OrderNotFound(String),
    #[error("order {guid} is {status}; this action is not allowed from it")]
    InvalidState { guid: String, status: String },
    #[error("no dish, combo or modifier with code {0}")]
    UnknownCode(i64),
}

/// One callback delivery attempt, as `GET /_sim/callbacks` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct CallbackRecord {
    pub guid: String,
    pub url: String,
    pub status: String,
    pub previous_status: String,
    pub attempt: u32,
    /// `delivered`, `failed` (will retry) or `gave_up`.
    pub outcome: String,
    /// The receiver's HTTP status, if it answered.
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub at: String,
    pub payload: serde_json::Value,
}

/// An order as tests see it.
#[derive(Debug, Clone)]
pub struct OrderSnapshot {
    pub guid: String,
    pub order_number: String,
    pub external_id: Option<String>,
    pub token: String,
    pub status: Status,
    pub total: Decimal,
    pub paid_sum: Decimal,
    pub comment: Option<String>,
    pub short_comment: Option<String>,
    pub callback_url: Option<String>,
    /// The full admin JSON (`GET /_sim/orders`), for anything not above.
    pub detail: serde_json::Value,
}

pub(crate) struct Sim {
    pub addr: SocketAddr,
    pub settings: Mutex<ProcartSettings>,
    pub menu: Mutex<Menu>,
    pub orders: Mutex<Orders>,
    pub faults: Mutex<FaultTable>,
    pub callbacks: Mutex<Vec<CallbackRecord>>,
    pub payment_cfg: Mutex<PaymentSimConfig>,
    pub payments: Mutex<PaymentStore>,
    pub images: ImageCache,
    pub stopping: watch::Receiver<bool>,
    pub http: reqwest::Client,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: the simulator's state
/// stays usable and a test gets its answer instead of a cascade of panics.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sim {
    pub fn new(
        listener: &TcpListener,
        config: SimConfig,
        stopping: watch::Receiver<bool>,
    ) -> std::io::Result<Arc<Sim>> {
        let mut addr = listener.local_addr()?;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let first = config.procart.settings.first_order_number;
        let http = reqwest::Client::builder()
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Arc::new(Sim {
            addr,
            settings: Mutex::new(config.procart.settings),
            menu: Mutex::new(Menu::new(config.procart.menu)),
            orders: Mutex::new(Orders::new(first)),
            faults: Mutex::new(FaultTable::default()),
            callbacks: Mutex::new(Vec::new()),
            payment_cfg: Mutex::new(config.payment),
            payments: Mutex::new(PaymentStore::default()),
            images: ImageCache::default(),
            stopping,
            http,
        }))
    }

    pub fn settings(&self) -> ProcartSettings {
        lock(&self.settings).clone()
    }

    pub fn order_views(&self, admin: bool) -> Vec<OrderResp> {
        lock(&self.orders)
            .list
            .iter()
            .map(|o| o.view(admin))
            .collect()
    }

    /// Applies a POS-side action and pushes the callback it calls for.
    pub fn order_action(
        self: &Arc<Self>,
        guid: &str,
        action: OrderAction,
    ) -> Result<OrderResp, SimError> {
        let (view, from, to, consumption) = {
            let mut orders = lock(&self.orders);
            let (from, to) = orders.transition(guid, action).map_err(|e| match e {
                TransitionError::NotFound => SimError::OrderNotFound(guid.to_string()),
                TransitionError::InvalidState(s) => SimError::InvalidState {
                    guid: guid.to_string(),
                    status: s.as_str().to_string(),
                },
            })?;
            let order = orders
                .get(guid)
                .ok_or_else(|| SimError::OrderNotFound(guid.to_string()))?;
            (order.view(false), from, to, order.consumption.clone())
        };
        if to == Status::Deleted {
            // A deleted order gives its dishes back to the stop-list (§5.2).
            lock(&self.menu).adjust_remains(&consumption, 1);
        }
        crate::callbacks::status_changed(self, &view, from, to);
        Ok(view)
    }
}

/// A cloneable handle that drives the running simulator from Rust.
#[derive(Clone)]
pub struct SimControl {
    sim: Arc<Sim>,
}

impl SimControl {
    pub(crate) fn new(sim: Arc<Sim>) -> SimControl {
        SimControl { sim }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.sim.addr)
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> Vec<OrderSnapshot> {
        let orders = lock(&self.sim.orders);
        orders
            .list
            .iter()
            .map(|o| OrderSnapshot {
                guid: o.guid.clone(),
                order_number: o.number.to_string(),
                external_id: o.external_id.clone(),
                token: o.token.clone(),
                status: o.status,
                total: o.priced.total,
                paid_sum: o.paid_sum,
                comment: o.comment.clone(),
                short_comment: o.short_comment.clone(),
                callback_url: o.callback_url.clone(),
                detail: serde_json::to_value(o.view(true)).unwrap_or_default(),
            })
            .collect()
    }

    /// A POS-side action: pre-check, pay, delete, cancel pre-check, activate.
    pub fn order_action(&self, guid: &str, action: OrderAction) -> Result<(), SimError> {
        self.sim.order_action(guid, action).map(|_| ())
    }

    /// Sets the remains of a dish, combo or modifier (`None` = unlimited, 0 = stop-list).
    pub fn set_remains(&self, code: i64, remains: Option<Decimal>) -> Result<(), SimError> {
        if lock(&self.sim.menu).set_remains(code, remains) {
            Ok(())
        } else {
            Err(SimError::UnknownCode(code))
        }
    }

    pub fn remains(&self, code: i64) -> Option<Decimal> {
        lock(&self.sim.menu).remains(code)
    }

    /// Changes a menu price; `menu_version` changes with it.
    pub fn set_price(&self, code: i64, price: Decimal) -> Result<(), SimError> {
        if lock(&self.sim.menu).set_price(code, price) {
            Ok(())
        } else {
            Err(SimError::UnknownCode(code))
        }
    }

    pub fn menu_version(&self) -> String {
        lock(&self.sim.menu).version()
    }

    pub fn add_fault(&self, fault: Fault) {
        lock(&self.sim.faults).add(fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.sim.faults).clear();
    }

    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.sim.faults).list()
    }

    /// Current ProCart switches.
    pub fn settings(&self) -> ProcartSettings {
        self.sim.settings()
    }

    /// Changes ProCart switches at run time.
    pub fn update_settings(&self, f: impl FnOnce(&mut ProcartSettings)) {
        f(&mut lock(&self.sim.settings));
    }

    /// Every callback delivery attempt so far.
    pub fn callbacks(&self) -> Vec<CallbackRecord> {
        lock(&self.sim.callbacks).clone()
    }

    pub fn set_payment_outcome(&self, outcome: PaymentOutcomeMode, delay_ms: u64) {
        let mut c = lock(&self.sim.payment_cfg);
        c.outcome = outcome;
        c.delay_ms = delay_ms;
    }

    pub fn update_payment(&self, f: impl FnOnce(&mut PaymentSimConfig)) {
        f(&mut lock(&self.sim.payment_cfg));
    }

    /// Every payment attempt with its refunds.
    pub fn payments(&self) -> Vec<PaymentRecordView> {
        lock(&self.sim.payments).views()
    }
}
