//! The JPOS transport: one typed method per command over HTTP POST.
//!
//! Every command is one JSON object POSTed to one URL; the server picks the action from its
//! `command` field and answers with the `status` envelope. This file knows how to send, how to
//! read whatever comes back (BOM, PHP noise, HTML error pages, wrong content types) and how to
//! tell a refusal from a lost answer. It knows nothing of the kiosk's domain.
//!
//! Secrets: the server id and the user id are bearer credentials (reference §1.5). They are
//! kept in [`Secret`], which never prints, and are never put in a log line.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::JupiterError;
use crate::wire::{self, Command};

/// A credential that never shows up in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

/// How the JSON travels. ASSUMED (reference §1.2): the raw object is the body; a PHP endpoint
/// might instead read a form field such as `data`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyMode {
    #[default]
    RawJson,
    FormField(String),
}

/// Transport settings; [`crate::JupiterConfig`] carries them.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The settings URL (`checkUpdate`, `getTT`), CONFIRMED `https://jupiter.report/jpos/index.php`.
    pub url: String,
    /// ASSUMED: order commands may go elsewhere (the on-site Jupiter); `None` = `url`.
    pub order_url: Option<String>,
    pub server_id: Secret,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// getTT returns the whole menu: a longer limit (reference §1.6 suggests 60 s).
    pub menu_timeout: Duration,
    /// Extra attempts for read-only commands after a transport failure.
    pub read_retries: u32,
    /// Back-off before the first retry, doubled each time.
    pub retry_backoff: Duration,
    pub body_mode: BodyMode,
}

/// `get_user_id`'s answer.
#[derive(Debug, Clone, PartialEq)]
pub struct UserLogin {
    pub user_id: Secret,
    /// `None` when no workday is open (ASSUMED reference §5.3).
    pub workday_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct JupiterClient {
    http: reqwest::Client,
    cfg: ClientConfig,
}

impl JupiterClient {
    pub fn new(cfg: ClientConfig) -> Result<JupiterClient, JupiterError> {
        for u in std::iter::once(&cfg.url).chain(cfg.order_url.iter()) {
            reqwest::Url::parse(u).map_err(|e| JupiterError::Config(format!("URL {u:?}: {e}")))?;
        }
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .build()
            .map_err(|e| JupiterError::Config(e.to_string()))?;
        Ok(JupiterClient { http, cfg })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    fn server_id(&self) -> &str {
        self.cfg.server_id.expose()
    }

    /// `checkUpdate`: is the menu newer than `settings_date` (`""` when none is cached)?
    pub async fn check_update(&self, settings_date: &str) -> Result<bool, JupiterError> {
        let req = wire::CheckUpdateRequest {
            command: Command::CheckUpdate.as_str(),
            server_id: self.server_id(),
            date_from_request: settings_date,
        };
        let r: wire::CheckUpdateResponse = self.call(Command::CheckUpdate, &req).await?;
        Ok(r.update)
    }

    /// `getTT`: the restaurant's data and the whole menu.
    pub async fn get_tt(&self) -> Result<wire::GetTtResponse, JupiterError> {
        let req = wire::GetTtRequest {
            command: Command::GetTt.as_str(),
            server_id: self.server_id(),
        };
        self.call(Command::GetTt, &req).await
    }

    /// `get_user_id`: staff login by password or magnetic-card track.
    pub async fn get_user_id(&self, password: &Secret) -> Result<UserLogin, JupiterError> {
        let req = wire::GetUserIdRequest {
            command: Command::GetUserId.as_str(),
            server_id: self.server_id(),
            password: password.expose(),
        };
        let r: wire::GetUserIdResponse = self.call(Command::GetUserId, &req).await?;
        if r.user_id.trim().is_empty() {
            return Err(JupiterError::Malformed {
                command: Command::GetUserId,
                message: "status ok without a user_id".into(),
            });
        }
        Ok(UserLogin {
            user_id: Secret(r.user_id),
            workday_id: r.workday_id,
        })
    }

    /// `add_new_order`: create, add new lines (by line uid), or close (non-empty `close_date`).
    /// Never retried here: resending is safe only with the identical payload, which the caller
    /// decides.
    pub async fn add_new_order(
        &self,
        user_id: &Secret,
        order: &wire::Order,
    ) -> Result<wire::Order, JupiterError> {
        self.order_command(Command::AddNewOrder, user_id, order)
            .await
    }

    /// `print_bill`: as `add_new_order`, and prints the bill (a retry may print it twice).
    pub async fn print_bill(
        &self,
        user_id: &Secret,
        order: &wire::Order,
    ) -> Result<wire::Order, JupiterError> {
        self.order_command(Command::PrintBill, user_id, order).await
    }

    async fn order_command(
        &self,
        command: Command,
        user_id: &Secret,
        order: &wire::Order,
    ) -> Result<wire::Order, JupiterError> {
        let req = wire::OrderRequest {
            command: command.as_str(),
            server_id: self.server_id(),
            user_id: user_id.expose(),
            order,
        };
        let r: wire::OrderResponse = self.call(command, &req).await?;
        Ok(r.order)
    }

    /// `get_closed_orders`: which of `uids` are closed, and every open order of the user.
    pub async fn get_closed_orders(
        &self,
        user_id: &Secret,
        uids: &[String],
    ) -> Result<wire::ClosedOrdersResponse, JupiterError> {
        let req = wire::GetClosedOrdersRequest {
            command: Command::GetClosedOrders.as_str(),
            server_id: self.server_id(),
            user_id: user_id.expose(),
            orders: uids,
        };
        self.call(Command::GetClosedOrders, &req).await
    }

    /// `lock_order`: `None` when Jupiter has no such order (which S1 calls a success).
    pub async fn lock_order(
        &self,
        user_id: &Secret,
        order_uid: &str,
    ) -> Result<Option<wire::Order>, JupiterError> {
        let req = wire::LockRequest {
            command: Command::LockOrder.as_str(),
            user_id: user_id.expose(),
            order_uid,
            server_id: Some(self.server_id()),
        };
        let r: wire::LockResponse = self.call(Command::LockOrder, &req).await?;
        Ok(r.order)
    }

    /// `unlock_order`: best effort; Jupiter answers ok when there was nothing to unlock.
    pub async fn unlock_order(
        &self,
        user_id: &Secret,
        order_uid: &str,
    ) -> Result<(), JupiterError> {
        let req = wire::LockRequest {
            command: Command::UnlockOrder.as_str(),
            user_id: user_id.expose(),
            order_uid,
            server_id: Some(self.server_id()),
        };
        let _: Value = self.call(Command::UnlockOrder, &req).await?;
        Ok(())
    }

    /// `add_client_to_order`: attach a loyalty client by the code they show; the order must
    /// already be in Jupiter.
    pub async fn add_client_to_order(
        &self,
        user_id: &Secret,
        client_code: &str,
        order_uid: &str,
    ) -> Result<wire::Order, JupiterError> {
        let req = wire::AddClientRequest {
            command: Command::AddClientToOrder.as_str(),
            user_id: user_id.expose(),
            server_id: self.server_id(),
            client_id: client_code,
            order_uid,
        };
        let r: wire::OrderResponse = self.call(Command::AddClientToOrder, &req).await?;
        Ok(r.order)
    }

    /// Sends one command, retrying read-only ones on transient failures.
    async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        command: Command,
        req: &Req,
    ) -> Result<Resp, JupiterError> {
        let body = serde_json::to_string(req).map_err(|e| JupiterError::Config(e.to_string()))?;
        let attempts = if command.is_read_only() {
            1 + self.cfg.read_retries
        } else {
            1
        };
        let mut backoff = self.cfg.retry_backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send_once(command, &body).await {
                Err(e) if attempt < attempts && e.is_transient() => {
                    tracing::debug!(%command, attempt, error = %e, "JPOS read failed; retrying");
                    if !backoff.is_zero() {
                        tokio::time::sleep(backoff).await;
                    }
                    backoff *= 2;
                }
                other => return other,
            }
        }
    }

    async fn send_once<Resp: DeserializeOwned>(
        &self,
        command: Command,
        json: &str,
    ) -> Result<Resp, JupiterError> {
        let url = if command.is_settings() {
            &self.cfg.url
        } else {
            self.cfg.order_url.as_ref().unwrap_or(&self.cfg.url)
        };
        let timeout = if command == Command::GetTt {
            self.cfg.menu_timeout
        } else {
            self.cfg.request_timeout
        };
        let (content_type, body) = match &self.cfg.body_mode {
            BodyMode::RawJson => (wire::JSON_CONTENT_TYPE, json.to_string()),
            BodyMode::FormField(field) => (wire::FORM_CONTENT_TYPE, wire::form_encode(field, json)),
        };
        let started = std::time::Instant::now();
        let response = self
            .http
            .post(url)
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(command, e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport_error(command, e))?;
        tracing::debug!(%command, status = status.as_u16(), bytes = bytes.len(), ms = started.elapsed().as_millis() as u64, "JPOS answered");
        decode_response(command, status.as_u16(), &bytes)
    }
}

/// Turns an HTTP answer into the command's response, following reference §1.3: the JSON body
/// is read whatever the status; `status: "error"` is a refusal; a non-2xx status without a
/// readable envelope is a transport-level failure.
pub fn decode_response<Resp: DeserializeOwned>(
    command: Command,
    status: u16,
    bytes: &[u8],
) -> Result<Resp, JupiterError> {
    // The usual answer (`status: "ok"`, a body `Resp` reads) in one pass, whatever the HTTP
    // status, as below; everything else is decided by the general path.
    if let Some(resp) = wire::decode_ok_body::<Resp>(bytes) {
        return Ok(resp);
    }
    let ok_status = (200..300).contains(&status);
    let value = match wire::parse_body(bytes) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) | Err(_) if !ok_status => {
            return Err(JupiterError::Http {
                command,
                status,
                message: excerpt(bytes),
            })
        }
        Ok(other) => {
            return Err(JupiterError::Malformed {
                command,
                message: format!(
                    "expected a JSON object, got {}",
                    excerpt(other.to_string().as_bytes())
                ),
            })
        }
        Err(e) => {
            return Err(JupiterError::Malformed {
                command,
                message: e,
            })
        }
    };
    let envelope: wire::Envelope =
        serde_json::from_value(value.clone()).map_err(|e| JupiterError::Malformed {
            command,
            message: e.to_string(),
        })?;
    match envelope.status.trim() {
        wire::STATUS_OK => serde_json::from_value(value).map_err(|e| JupiterError::Malformed {
            command,
            message: e.to_string(),
        }),
        wire::STATUS_ERROR => Err(JupiterError::rejected(command, envelope.message)),
        _ if !ok_status => Err(JupiterError::Http {
            command,
            status,
            message: excerpt(bytes),
        }),
        other => Err(JupiterError::Malformed {
            command,
            message: format!("unknown status {other:?}"),
        }),
    }
}

fn transport_error(command: Command, e: reqwest::Error) -> JupiterError {
    if e.is_timeout() {
        JupiterError::Timeout { command }
    } else if e.is_connect() {
        JupiterError::Connect {
            command,
            message: error_chain(&e),
        }
    } else {
        JupiterError::Transport {
            command,
            message: error_chain(&e),
        }
    }
}

/// reqwest's top-level message is generic ("error sending request"); the cause says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim();
    if t.chars().count() > 200 {
        format!("{}…", t.chars().take(200).collect::<String>())
    } else {
        t.to_string()
    }
}
