//! The ProCart gateway simulator: routes, authentication and the per-request pipeline.
//!
//! Every `/api/v3/...` route goes through `endpoint`: faults first (see [`crate::faults`]),
//! then the token check (§3), then the method's handler in `handlers`. Handlers get the raw
//! headers, query pairs and body bytes rather than axum's typed extractors, because the token
//! may sit in any of five places (header `token`, `X-Token`, `Authorization: Bearer`, query
//! `token`, body field `token`) and a malformed body must still produce the ProCart error
//! envelope (422 `BAD_REQUEST`), not axum's own rejection text.

pub(crate) mod admin;
pub(crate) mod handlers;
pub mod orders;
pub mod pricing;
pub mod wire;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::faults::{guard, Conditions};
use crate::net::ConnHandle;
use crate::state::{lock, Sim};

/// The ProCart methods, named as fault injection and logs name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Ping,
    GetMenu,
    Validate,
    PostOrder,
    GetOrders,
    Close,
    PrintInfo,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Ping => "ping",
            Method::GetMenu => "getmenu",
            Method::Validate => "validate",
            Method::PostOrder => "postorder",
            Method::GetOrders => "getorders",
            Method::Close => "close",
            Method::PrintInfo => "print_info",
        }
    }
}

/// A request as the handlers see it.
pub struct Req {
    pub headers: HeaderMap,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
}

impl Req {
    pub fn query_all(&self, key: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn query_one(&self, key: &str) -> Option<String> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// The token from wherever the caller put it (§3).
    pub fn token(&self) -> Option<String> {
        if let Some(t) = self.header("token").or_else(|| self.header("x-token")) {
            return Some(t);
        }
        if let Some(auth) = self.header("authorization") {
            let mut parts = auth.splitn(2, ' ');
            if let (Some(scheme), Some(t)) = (parts.next(), parts.next()) {
                if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() {
                    return Some(t.trim().to_string());
                }
            }
        }
        if let Some(t) = self.query_one("token").filter(|t| !t.is_empty()) {
            return Some(t);
        }
        if self.body.is_empty() {
            return None;
        }
        serde_json::from_slice::<wire::BodyToken>(&self.body)
            .ok()
            .and_then(|b| b.token)
            .filter(|t| !t.is_empty())
    }

    /// Parses the JSON body; an empty body reads as `{}`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let bytes: &[u8] = if self.body.iter().all(|b| b.is_ascii_whitespace()) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(bytes)
            .map_err(|e| ApiError::BadRequest(format!("Некорректный запрос: {e}")))
    }

    /// `http://host:port` as the caller reached us, for image URLs.
    pub(crate) fn base_url(&self, sim: &Sim) -> String {
        match self.header("host") {
            Some(h)
                if h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c)) =>
            {
                format!("http://{h}")
            }
            _ => format!("http://{}", sim.addr),
        }
    }
}

/// Checks the token against the allow-list; returns it.
pub(crate) fn authorize(sim: &Sim, req: &Req, cond: Conditions) -> Result<String, ApiError> {
    let Some(token) = req.token() else {
        return Err(ApiError::Unauthorized(
            "Не передан токен доступа".to_string(),
        ));
    };
    let known = lock(&sim.settings).tokens.contains(&token);
    if !known || cond.invalid_token {
        return Err(ApiError::Unauthorized(
            "Неизвестный токен доступа".to_string(),
        ));
    }
    Ok(token)
}

async fn endpoint(
    method: Method,
    sim: Arc<Sim>,
    conn: ConnHandle,
    headers: HeaderMap,
    query: Option<String>,
    body: Bytes,
) -> Response {
    let fired = lock(&sim.faults).take(method.name());
    let stopping = sim.stopping.clone();
    let query: Vec<(String, String)> = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let req = Req {
        headers,
        query,
        body,
    };
    guard(
        fired,
        &conn,
        stopping,
        method == Method::Ping,
        |cond| async move {
            let result = match method {
                Method::Ping => handlers::ping(&sim, &req, cond),
                Method::GetMenu => handlers::getmenu(&sim, &req, cond).await,
                Method::Validate => handlers::validate(&sim, &req, cond),
                Method::PostOrder => handlers::postorder(&sim, &req, cond),
                Method::GetOrders => handlers::getorders(&sim, &req, cond),
                Method::Close => handlers::close(&sim, &req, cond),
                Method::PrintInfo => handlers::print_info(&sim, &req, cond),
            };
            match result {
                Ok(r) => r,
                Err(e) => {
                    tracing::debug!(method = method.name(), "{e}");
                    e.into_response()
                }
            }
        },
    )
    .await
}

macro_rules! route_fn {
    ($name:ident, $method:expr) => {
        async fn $name(
            State(sim): State<Arc<Sim>>,
            ConnectInfo(conn): ConnectInfo<ConnHandle>,
            headers: HeaderMap,
            RawQuery(query): RawQuery,
            body: Bytes,
        ) -> Response {
            endpoint($method, sim, conn, headers, query, body).await
        }
    };
}

route_fn!(ping, Method::Ping);
route_fn!(getmenu, Method::GetMenu);
route_fn!(validate, Method::Validate);
route_fn!(postorder, Method::PostOrder);
route_fn!(getorders, Method::GetOrders);
route_fn!(close, Method::Close);
route_fn!(print_info, Method::PrintInfo);

async fn not_found() -> Response {
    ApiError::Status {
        status: StatusCode::NOT_FOUND,
        code: "NOT_FOUND",
        detail: "Метод не найден".into(),
    }
    .into_response()
}

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v3/ping", get(ping).post(ping))
        .route("/api/v3/getmenu", get(getmenu).post(getmenu))
        .route("/api/v3/validate", post(validate))
        .route("/api/v3/postorder", post(postorder))
        .route("/api/v3/getorders", get(getorders).post(getorders))
        .route("/api/v3/close", post(close))
        .route(
            "/api/v3/internal/print_info",
            get(print_info).post(print_info),
        )
        .route("/api/v3/{*rest}", get(not_found).post(not_found))
        .merge(admin::routes())
}
