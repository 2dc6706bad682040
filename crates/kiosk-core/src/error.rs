//! Errors that cross layers: what went wrong with the POS, and the one shape every error takes
//! at the IPC boundary (`{ code, message }`). The UI switches on `code`, never on text.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cart::CartProblem;
use crate::catalog::PosId;

/// Typed POS failures. Adapters map their wire errors here so the checkout can decide what is
/// safe: a refusal is final (refund), an unreachable POS is not (retry, never refund).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PosError {
    #[error("the POS cannot be reached: {0}")]
    Unreachable(String),
    #[error("the POS did not answer {operation} in time")]
    Timeout { operation: String },
    #[error("the POS rejected the access token")]
    BadToken,
    #[error("the POS gateway has no valid licence: {0}")]
    NoLicence(String),
    #[error("the POS gateway cannot reach its cash server: {0}")]
    CashServerDown(String),
    #[error("not available now: {message}")]
    DishUnavailable {
        dish: Option<PosId>,
        message: String,
    },
    #[error("the price changed: {message}")]
    PriceChanged { message: String },
    #[error("the POS refused the order: {reason}")]
    Refused { reason: String },
    #[error("not found in the POS: {0}")]
    NotFound(String),
    /// The POS created the order but totals it differently from what was charged; the order is
    /// left open in the POS for staff (never refunded or closed silently).
    #[error("the POS totals order {pos_order_id} differently: {message}")]
    TotalMismatch {
        pos_order_id: String,
        message: String,
    },
    #[error("the POS answered with something we cannot read: {0}")]
    Malformed(String),
    #[error("the POS failed with HTTP {status}: {message}")]
    Server { status: u16, message: String },
}

impl PosError {
    /// The POS answered and said no: retrying the same request will not help.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            PosError::DishUnavailable { .. }
                | PosError::PriceChanged { .. }
                | PosError::Refused { .. }
        )
    }

    /// A request that may or may not have taken effect (sent, but the answer was lost).
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            PosError::Timeout { .. }
                | PosError::Unreachable(_)
                | PosError::Malformed(_)
                | PosError::Server { .. }
        )
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            PosError::Unreachable(_) => ErrorCode::PosUnreachable,
            PosError::Timeout { .. } => ErrorCode::PosTimeout,
            PosError::BadToken => ErrorCode::PosBadToken,
            PosError::NoLicence(_) => ErrorCode::PosNoLicence,
            PosError::CashServerDown(_) => ErrorCode::PosCashServerDown,
            PosError::DishUnavailable { .. } => ErrorCode::DishUnavailable,
            PosError::PriceChanged { .. } => ErrorCode::PriceChanged,
            PosError::Refused { .. } => ErrorCode::OrderRefused,
            PosError::NotFound(_) => ErrorCode::NotFound,
            PosError::TotalMismatch { .. } => ErrorCode::TotalMismatch,
            PosError::Malformed(_) => ErrorCode::PosMalformed,
            PosError::Server { .. } => ErrorCode::PosServerError,
        }
    }
}

/// Stable error codes for the UI. Adding one is fine; renaming one breaks the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    PosUnreachable,
    PosTimeout,
    PosBadToken,
    PosNoLicence,
    PosCashServerDown,
    PosMalformed,
    PosServerError,
    DishUnavailable,
    PriceChanged,
    OrderRefused,
    /// The POS has the order at another total; staff will settle it.
    TotalMismatch,
    NotFound,
    CartInvalid,
    MenuUnavailable,
    PaymentDeclined,
    PaymentCancelled,
    PaymentFailed,
    /// A newer request replaced this one; the UI drops the answer.
    Superseded,
    JournalUnavailable,
    BadInput,
    Internal,
    /// A service action without a valid service session (enter the PIN first).
    NotAuthorized,
    /// The OS keyring cannot be used; the message says what to install or unlock.
    KeyringUnavailable,
    /// The receipt printer cannot print the guest's slip; nothing was charged. `printer` on the
    /// error says what is wrong and what the guest may choose (go on without a slip, when the
    /// settings allow it).
    PrinterUnavailable,
}

impl ErrorCode {
    /// A short text for the customer, in English; the UI shows its own translation by code.
    pub fn customer_message(self) -> &'static str {
        match self {
            ErrorCode::PosUnreachable | ErrorCode::PosTimeout | ErrorCode::PosServerError => {
                "The restaurant's system is not answering. Please try again in a moment."
            }
            ErrorCode::PosBadToken | ErrorCode::PosNoLicence | ErrorCode::PosCashServerDown => {
                "Ordering is paused for a moment. Please ask the staff."
            }
            ErrorCode::PosMalformed => "Something went wrong with the restaurant's system.",
            ErrorCode::DishUnavailable => "Something in your order has just run out.",
            ErrorCode::PriceChanged => "A price has changed. Please check your order.",
            ErrorCode::OrderRefused => "The restaurant could not accept this order.",
            ErrorCode::TotalMismatch => {
                "Your order is paid; a staff member will confirm it with you."
            }
            ErrorCode::NotFound => "Not found.",
            ErrorCode::CartInvalid => "Please check your order.",
            ErrorCode::MenuUnavailable => "The menu is not available right now.",
            ErrorCode::PaymentDeclined => "The payment was declined. No money was taken.",
            ErrorCode::PaymentCancelled => "The payment was cancelled. No money was taken.",
            ErrorCode::PaymentFailed => "The payment did not go through.",
            ErrorCode::Superseded => "Replaced by a newer request.",
            ErrorCode::JournalUnavailable => "The kiosk cannot take payments right now.",
            ErrorCode::BadInput => "The request was not understood.",
            ErrorCode::Internal => "Something went wrong.",
            ErrorCode::NotAuthorized => "Please enter the service PIN.",
            ErrorCode::KeyringUnavailable => "The kiosk cannot reach its secure storage.",
            ErrorCode::PrinterUnavailable => {
                "The kiosk cannot print your receipt right now. No money was taken."
            }
        }
    }
}

/// The only error shape the UI ever receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{code:?}: {message}")]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// Cart problems, when `code` is `cart_invalid`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<CartProblem>>")]
    pub problems: Vec<CartProblem>,
    /// The dish the POS refused, when `code` is `dish_unavailable` and the POS named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dish: Option<PosId>,
    /// What is wrong with the printer and the guest's choices, when `code` is
    /// `printer_unavailable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub printer: Option<PrinterNotice>,
}

/// Why the receipt printer cannot print (or soon will not). A stable key the UI translates and
/// the staff screens show; the `printer` crate maps its status and errors onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PrinterProblem {
    PaperOut,
    /// Still prints; staff should change the roll.
    PaperNearEnd,
    CoverOpen,
    /// Says it is offline, without a cause we know.
    Offline,
    /// Connected but silent (or too slow): counted as offline.
    NotResponding,
    /// No connection at all: off, unplugged, wrong address.
    Unreachable,
    HardwareError,
    /// Answers that are not ESC/POS status, or an I/O failure.
    Fault,
}

impl PrinterProblem {
    /// The stable key, e.g. `paper_out`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrinterProblem::PaperOut => "paper_out",
            PrinterProblem::PaperNearEnd => "paper_near_end",
            PrinterProblem::CoverOpen => "cover_open",
            PrinterProblem::Offline => "offline",
            PrinterProblem::NotResponding => "not_responding",
            PrinterProblem::Unreachable => "unreachable",
            PrinterProblem::HardwareError => "hardware_error",
            PrinterProblem::Fault => "fault",
        }
    }

    /// The key back to the problem (the journal stores keys).
    pub fn parse(s: &str) -> Option<PrinterProblem> {
        [
            PrinterProblem::PaperOut,
            PrinterProblem::PaperNearEnd,
            PrinterProblem::CoverOpen,
            PrinterProblem::Offline,
            PrinterProblem::NotResponding,
            PrinterProblem::Unreachable,
            PrinterProblem::HardwareError,
            PrinterProblem::Fault,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// What the guest may do when the slip cannot be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PrinterChoice {
    /// Pay and take the number from the screen (only when the settings allow it).
    ContinueWithoutSlip,
    /// Do not pay: back to the order.
    Cancel,
}

/// Sent with `printer_unavailable`: the problem, and the choices the settings allow. Without
/// `continue_without_slip` among them the kiosk is out of service until the printer recovers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrinterNotice {
    pub problem: PrinterProblem,
    pub choices: Vec<PrinterChoice>,
}

impl PrinterNotice {
    pub fn may_continue(&self) -> bool {
        self.choices.contains(&PrinterChoice::ContinueWithoutSlip)
    }
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
            problems: vec![],
            dish: None,
            printer: None,
        }
    }

    /// `printer_unavailable` with what is wrong and what the guest may do.
    pub fn printer(notice: PrinterNotice, message: impl Into<String>) -> Self {
        IpcError {
            printer: Some(notice),
            ..IpcError::new(ErrorCode::PrinterUnavailable, message)
        }
    }

    pub fn cart(problems: Vec<CartProblem>) -> Self {
        let message = problems
            .iter()
            .map(CartProblem::describe)
            .collect::<Vec<_>>()
            .join("; ");
        IpcError {
            code: ErrorCode::CartInvalid,
            message,
            problems,
            dish: None,
            printer: None,
        }
    }
}

impl From<PosError> for IpcError {
    fn from(e: PosError) -> Self {
        let mut out = IpcError::new(e.code(), e.to_string());
        if let PosError::DishUnavailable { dish, .. } = e {
            out.dish = dish;
        }
        out
    }
}
