//! Errors of the Jupiter adapter and their mapping to [`kiosk_core::PosError`].
//!
//! The split matters to the checkout: a request that never left (connect failure) is safe to
//! repeat, one whose answer was lost (timeout, dropped connection, unreadable body) may have
//! taken effect and must be reconciled, and a `status: "error"` answer is Jupiter saying no.

use kiosk_core::PosError;

use crate::wire::{Command, RejectKind};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JupiterError {
    #[error("JPOS {command}: cannot connect: {message}")]
    Connect { command: Command, message: String },
    #[error("JPOS {command}: no answer in time")]
    Timeout { command: Command },
    /// Sent, but the connection broke before a whole answer arrived.
    #[error("JPOS {command}: the connection broke: {message}")]
    Transport { command: Command, message: String },
    /// A non-2xx status without a JSON envelope (e.g. a proxy's HTML error page).
    #[error("JPOS {command}: HTTP {status}: {message}")]
    Http {
        command: Command,
        status: u16,
        message: String,
    },
    #[error("JPOS {command}: unreadable answer: {message}")]
    Malformed { command: Command, message: String },
    /// `{"status": "error", "message": ...}`: Jupiter's own refusal, Russian text verbatim.
    #[error("Jupiter refused {command}: {message}")]
    Rejected {
        command: Command,
        kind: RejectKind,
        message: String,
    },
    #[error("the Jupiter settings are not usable: {0}")]
    Config(String),
}

impl JupiterError {
    pub fn rejected(command: Command, message: impl Into<String>) -> JupiterError {
        let message = message.into();
        JupiterError::Rejected {
            command,
            kind: RejectKind::classify(&message),
            message,
        }
    }

    /// Worth another try for a read-only command.
    pub fn is_transient(&self) -> bool {
        match self {
            JupiterError::Connect { .. }
            | JupiterError::Timeout { .. }
            | JupiterError::Transport { .. } => true,
            JupiterError::Http { status, .. } => *status >= 500,
            JupiterError::Malformed { .. } => true,
            JupiterError::Rejected { .. } | JupiterError::Config(_) => false,
        }
    }

    pub fn reject_kind(&self) -> Option<RejectKind> {
        match self {
            JupiterError::Rejected { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

impl From<JupiterError> for PosError {
    fn from(e: JupiterError) -> PosError {
        match e {
            JupiterError::Connect { command, message } => {
                PosError::Unreachable(format!("JPOS {command}: {message}"))
            }
            JupiterError::Timeout { command } => PosError::Timeout {
                operation: command.to_string(),
            },
            // The request may have been processed: Unreachable keeps `outcome_unknown()` true.
            JupiterError::Transport { command, message } => PosError::Unreachable(format!(
                "JPOS {command}: the connection broke after sending: {message}"
            )),
            JupiterError::Http {
                status, message, ..
            } => PosError::Server { status, message },
            JupiterError::Malformed { command, message } => {
                PosError::Malformed(format!("JPOS {command}: {message}"))
            }
            JupiterError::Rejected { kind, message, .. } => match kind {
                // Nothing was created and it clears once staff open the day: not a refusal, so
                // the checkout keeps a paid order for later instead of refunding it.
                RejectKind::NoWorkday => PosError::CashServerDown(message),
                // The server id and the user id are the only credentials JPOS has.
                RejectKind::UnknownServer | RejectKind::UnknownUser | RejectKind::BadPassword => {
                    PosError::BadToken
                }
                RejectKind::NotFound => PosError::NotFound(message),
                RejectKind::Other => PosError::Refused { reason: message },
            },
            JupiterError::Config(m) => PosError::Unreachable(format!("Jupiter settings: {m}")),
        }
    }
}
