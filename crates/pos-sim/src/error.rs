//! The ProCart error envelope (reference §4.7) as one error type.
//!
//! Every failure a ProCart route can report is an [`ApiError`]: an HTTP status, a stable
//! `code` and a human `detail` in Russian, as r_keeper would word it. Handlers return
//! `Result<_, ApiError>` and never panic on request data, so a bad request costs one 4xx
//! answer and the server keeps serving.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One problem found in a cart, for the `valid: false` error mode and for logs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CartProblem {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_index: Option<usize>,
    /// For `DISH_STOPPED` and `NOT_ENOUGH_REMAINS`: the code that is short (a dish, a combo or
    /// a modifier), so a client marks it sold out without reading it out of `message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dish_code: Option<i64>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A business rule failed (400): unknown code, stop-list, limits, payment mismatch…
    #[error("{code}: {detail}")]
    Business {
        code: &'static str,
        detail: String,
        problems: Vec<CartProblem>,
    },
    #[error("UNAUTHORIZED: {0}")]
    Unauthorized(String),
    #[error("ORDER_NOT_FOUND: {0}")]
    NotFound(String),
    /// Malformed JSON or wrong types (422, FastAPI style).
    #[error("BAD_REQUEST: {0}")]
    BadRequest(String),
    #[error("{code}: {detail}")]
    Unavailable { code: &'static str, detail: String },
    #[error("{code}: {detail}")]
    Status {
        status: StatusCode,
        code: &'static str,
        detail: String,
    },
}

impl ApiError {
    pub fn business(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::Business {
            code,
            detail: detail.into(),
            problems: Vec::new(),
        }
    }

    pub fn from_problems(problems: Vec<CartProblem>) -> ApiError {
        let (code, detail) = problems
            .first()
            .map(|p| (p.code, p.message.clone()))
            .unwrap_or(("VALIDATION_FAILED", "Заказ не может быть создан".into()));
        ApiError::Business {
            code,
            detail,
            problems,
        }
    }

    pub fn invalid_state(detail: impl Into<String>) -> ApiError {
        ApiError::business("INVALID_STATE", detail)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Business { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Status { status, .. } => *status,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Business { code, .. } => code,
            ApiError::Unauthorized(_) => "UNAUTHORIZED",
            ApiError::NotFound(_) => "ORDER_NOT_FOUND",
            ApiError::BadRequest(_) => "BAD_REQUEST",
            ApiError::Unavailable { code, .. } => code,
            ApiError::Status { code, .. } => code,
        }
    }

    pub fn detail(&self) -> String {
        match self {
            ApiError::Business { detail, .. } => detail.clone(),
            ApiError::Unauthorized(d) | ApiError::NotFound(d) | ApiError::BadRequest(d) => {
                d.clone()
            }
            ApiError::Unavailable { detail, .. } => detail.clone(),
            ApiError::Status { detail, .. } => detail.clone(),
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    detail: String,
    code: &'a str,
    /// The first problem's dish code: the envelope's `code` and `detail` are that problem's.
    #[serde(skip_serializing_if = "Option::is_none")]
    dish_code: Option<i64>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [CartProblem],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problems: &[CartProblem] = match &self {
            ApiError::Business { problems, .. } => problems,
            _ => &[],
        };
        let body = Envelope {
            detail: self.detail(),
            code: self.code(),
            dish_code: problems.first().and_then(|p| p.dish_code),
            errors: problems,
        };
        (self.status(), axum::Json(body)).into_response()
    }
}
