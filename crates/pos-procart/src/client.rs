//! The HTTP client for ProCart's seven methods, returning wire types plus the raw JSON.
//!
//! Everything the reference leaves open about the transport is configuration here: where the
//! token goes (§3), which verb each method uses, how long each may take (§8: getmenu ≥ 10 s,
//! postorder ≥ 30 s) and how often reads are retried.
//!
//! Why the retry rules are what they are: `/ping`, `/getmenu`, `/getorders` and
//! `/internal/print_info` change nothing, so a connection error or a 5xx is retried a few times
//! with a short back-off. `/postorder` is **never** retried here: after a timeout or a dropped
//! connection the order may or may not exist, and only the caller (the checkout journal) can
//! decide, after looking it up with `/getorders` by its external id. `/validate` and `/close`
//! are not retried either; the engine re-prices on its own schedule and `/close` is rare.
//!
//! The token never reaches a log line or an error message: URLs are logged without their query,
//! transport errors drop the URL, and every error passes through a redaction of the token.

use std::fmt;
use std::time::{Duration, Instant};

use kiosk_core::PosError;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Url;

use crate::decode::{self, Answer};
use crate::error;
use crate::wire::{
    self, paths, CloseRequest, GetOrdersRequest, MenuResponse, OrdersResponse, PingResponse,
    PostOrderRequest, PricedOrder, PrintInfoJson, PrintInfoRequest, WireOrder,
};

/// The seven ProCart methods (names CONFIRMED §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    pub const ALL: [Method; 7] = [
        Method::Ping,
        Method::GetMenu,
        Method::Validate,
        Method::PostOrder,
        Method::GetOrders,
        Method::Close,
        Method::PrintInfo,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Method::Ping => paths::PING,
            Method::GetMenu => paths::GETMENU,
            Method::Validate => paths::VALIDATE,
            Method::PostOrder => paths::POSTORDER,
            Method::GetOrders => paths::GETORDERS,
            Method::Close => paths::CLOSE,
            Method::PrintInfo => paths::PRINT_INFO,
        }
    }

    /// The name used in logs and in `PosError::Timeout { operation }`.
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

    /// Reads that change nothing in the POS: safe to retry and to re-send as POST after a 405.
    pub fn is_retryable_read(self) -> bool {
        matches!(
            self,
            Method::Ping | Method::GetMenu | Method::GetOrders | Method::PrintInfo
        )
    }
}

/// One value per method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerMethod<T> {
    pub ping: T,
    pub getmenu: T,
    pub validate: T,
    pub postorder: T,
    pub getorders: T,
    pub close: T,
    pub print_info: T,
}

impl<T> PerMethod<T> {
    pub fn get(&self, m: Method) -> &T {
        match m {
            Method::Ping => &self.ping,
            Method::GetMenu => &self.getmenu,
            Method::Validate => &self.validate,
            Method::PostOrder => &self.postorder,
            Method::GetOrders => &self.getorders,
            Method::Close => &self.close,
            Method::PrintInfo => &self.print_info,
        }
    }

    pub fn get_mut(&mut self, m: Method) -> &mut T {
        match m {
            Method::Ping => &mut self.ping,
            Method::GetMenu => &mut self.getmenu,
            Method::Validate => &mut self.validate,
            Method::PostOrder => &mut self.postorder,
            Method::GetOrders => &mut self.getorders,
            Method::Close => &mut self.close,
            Method::PrintInfo => &mut self.print_info,
        }
    }
}

/// HTTP verb of a method (UNKNOWN in reality; ASSUMED defaults per §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Arguments go in the query string (`?guid=..`); there is no body.
    Get,
    /// Arguments go in a JSON body (`{}` when there are none).
    Post,
}

impl Default for PerMethod<Verb> {
    /// GET for ping, getmenu and print_info, POST for the rest (§8).
    fn default() -> Self {
        PerMethod {
            ping: Verb::Get,
            getmenu: Verb::Get,
            validate: Verb::Post,
            postorder: Verb::Post,
            getorders: Verb::Post,
            close: Verb::Post,
            print_info: Verb::Get,
        }
    }
}

impl Default for PerMethod<Duration> {
    /// §8: getmenu ≥ 10 s (it takes 0.5-2 s on a big menu), postorder ≥ 30 s (r_keeper order
    /// creation can take seconds), others 10 s.
    fn default() -> Self {
        let ten = Duration::from_secs(10);
        PerMethod {
            ping: ten,
            getmenu: Duration::from_secs(20),
            validate: ten,
            postorder: Duration::from_secs(30),
            getorders: ten,
            close: ten,
            print_info: ten,
        }
    }
}

/// Where the token travels (UNKNOWN; §3 assumes header `token` plus query `token`, and a server
/// ignores the placement it does not use, so several may be combined).
#[derive(Clone, PartialEq, Eq)]
pub enum TokenPlacement {
    /// A request header with this name.
    Header(String),
    /// A query parameter with this name.
    Query(String),
    /// A top-level field of the JSON body (POST only; a GET has no body).
    BodyField(String),
    /// `Authorization: Bearer <token>`.
    Bearer,
}

impl fmt::Debug for TokenPlacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenPlacement::Header(n) => write!(f, "Header({n})"),
            TokenPlacement::Query(n) => write!(f, "Query({n})"),
            TokenPlacement::BodyField(n) => write!(f, "BodyField({n})"),
            TokenPlacement::Bearer => f.write_str("Bearer"),
        }
    }
}

impl TokenPlacement {
    /// The canonical contract of §3: header `token` and query `token`.
    pub fn defaults() -> Vec<TokenPlacement> {
        vec![
            TokenPlacement::Header(wire::TOKEN_PARAM.into()),
            TokenPlacement::Query(wire::TOKEN_PARAM.into()),
        ]
    }
}

/// Retries of idempotent reads on connection errors and 5xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Extra attempts after the first one.
    pub max_retries: u32,
    /// The first pause; each next one doubles, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Everything the client needs to reach one ProCart instance. `Debug` never shows the token.
#[derive(Clone)]
pub struct ProcartConfig {
    /// `http://host:port/api/v3` (CONFIRMED form §2); a trailing slash is fine.
    pub base_url: String,
    pub token: Option<String>,
    pub token_placement: Vec<TokenPlacement>,
    pub verbs: PerMethod<Verb>,
    pub timeouts: PerMethod<Duration>,
    pub connect_timeout: Duration,
    pub retries: RetryPolicy,
    /// Whether `/internal/print_info` gets the token too (unknown whether it needs it, §3).
    /// Sending it is harmless, so it is on by default.
    pub print_info_token: bool,
    /// Biggest answer accepted, against a gateway that streams garbage.
    pub max_body_bytes: usize,
}

impl ProcartConfig {
    pub fn new(base_url: impl Into<String>, token: Option<String>) -> ProcartConfig {
        ProcartConfig {
            base_url: base_url.into(),
            token,
            token_placement: TokenPlacement::defaults(),
            verbs: PerMethod::default(),
            timeouts: PerMethod::default(),
            connect_timeout: Duration::from_secs(5),
            retries: RetryPolicy::default(),
            print_info_token: true,
            max_body_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Default for ProcartConfig {
    fn default() -> Self {
        ProcartConfig::new(wire::DEFAULT_BASE_URL, None)
    }
}

impl fmt::Debug for ProcartConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Someone may have pasted `?token=...` into the base URL: redact it there too.
        let secrets: Vec<String> = self.token.iter().cloned().collect();
        f.debug_struct("ProcartConfig")
            .field("base_url", &error::redact(&self.base_url, &secrets))
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("token_placement", &self.token_placement)
            .field("verbs", &self.verbs)
            .field("timeouts", &self.timeouts)
            .field("connect_timeout", &self.connect_timeout)
            .field("retries", &self.retries)
            .field("print_info_token", &self.print_info_token)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// `/internal/print_info`'s long comment, from a text or a JSON answer (ASSUMED §5.7).
#[derive(Debug, Clone, PartialEq)]
pub struct PrintInfo {
    pub comment: String,
    /// Present when the answer was JSON.
    pub json: Option<Answer<PrintInfoJson>>,
}

/// Arguments of one call: the query form is used for GET, the body for POST.
struct Params {
    query: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Params {
    fn none() -> Params {
        Params {
            query: vec![],
            body: b"{}".to_vec(),
        }
    }

    fn json<T: serde::Serialize>(body: &T) -> Result<Params, PosError> {
        let body = serde_json::to_vec(body).map_err(|e| {
            PosError::Malformed(format!("the request cannot be written as JSON: {e}"))
        })?;
        Ok(Params {
            query: vec![],
            body,
        })
    }
}

/// A raw HTTP answer, any status.
struct Reply {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// A client of one ProCart instance. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct ProcartClient {
    http: reqwest::Client,
    base: Url,
    config: ProcartConfig,
    /// The token and its URL-encoded form, scrubbed from every error message.
    secrets: Vec<String>,
}

impl fmt::Debug for ProcartClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcartClient")
            .field("config", &self.config)
            .finish()
    }
}

impl ProcartClient {
    /// Checks the configuration (URL, token characters, header names) and builds the client.
    /// A URL that cannot work is `Unreachable`; a token that cannot be sent is `BadToken`.
    pub fn new(config: ProcartConfig) -> Result<ProcartClient, PosError> {
        let mut secrets = Vec::new();
        if let Some(token) = config.token.as_deref().filter(|t| !t.is_empty()) {
            if HeaderValue::from_str(token).is_err() || token.chars().any(char::is_control) {
                return Err(PosError::BadToken);
            }
            secrets.push(token.to_string());
            let encoded = query_encoded(token);
            if encoded != token {
                secrets.push(encoded);
            }
        }
        let trimmed = config.base_url.trim().trim_end_matches('/');
        let shown = error::redact(trimmed, &secrets);
        let base = Url::parse(&format!("{trimmed}/")).map_err(|e| {
            PosError::Unreachable(format!("the ProCart address {shown:?} is not a URL: {e}"))
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(PosError::Unreachable(format!(
                "the ProCart address {shown:?} is not an http(s) URL"
            )));
        }
        for p in &config.token_placement {
            if let TokenPlacement::Header(name) = p {
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    PosError::Unreachable(format!("the token header name {name:?} is not valid"))
                })?;
            }
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("kiosk-pos-procart/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| PosError::Unreachable(format!("the HTTP client cannot start: {e}")))?;
        Ok(ProcartClient {
            http,
            base,
            config,
            secrets,
        })
    }

    pub fn config(&self) -> &ProcartConfig {
        &self.config
    }

    /// `/ping`: health, versions, licence, token validity (§5.1). A 200 with `token_valid:false`
    /// is a successful answer; see `mapping::ping_problem`.
    pub async fn ping(&self) -> Result<Answer<PingResponse>, PosError> {
        let r = self.call(Method::Ping, Params::none()).await?;
        self.decode(Method::Ping, &r.body)
    }

    /// `/getmenu` (§5.2). Slow on big menus; cache the result (the engine does).
    pub async fn getmenu(&self) -> Result<Answer<MenuResponse>, PosError> {
        let r = self.call(Method::GetMenu, Params::none()).await?;
        self.decode(Method::GetMenu, &r.body)
    }

    /// `/getmenu` read straight into the checked catalog ([`decode::decode_menu`]'s fast path,
    /// without keeping the raw JSON): what the kiosk uses.
    pub async fn getmenu_catalog(&self) -> Result<kiosk_core::catalog::Catalog, PosError> {
        let r = self.call(Method::GetMenu, Params::none()).await?;
        decode::decode_menu(&r.body).map_err(|e| error::scrub(e, &self.secrets))
    }

    /// `/validate`: prices the Cart; creates nothing (§5.3).
    pub async fn validate(
        &self,
        cart: &wire::CartRequest,
    ) -> Result<Answer<PricedOrder>, PosError> {
        let r = self.call(Method::Validate, Params::json(cart)?).await?;
        self.decode(Method::Validate, &r.body)
    }

    /// `/postorder`: creates the order (§5.4). Sent once. On an error whose
    /// `outcome_unknown()` is true, look the order up by its external id before sending again.
    pub async fn postorder(&self, order: &PostOrderRequest) -> Result<Answer<WireOrder>, PosError> {
        let r = self.call(Method::PostOrder, Params::json(order)?).await?;
        self.decode(Method::PostOrder, &r.body)
    }

    /// `/getorders` (§5.5). An empty filter asks for this token's recent orders (the last 24 h
    /// in the simulator; ASSUMED §5.5).
    pub async fn getorders(
        &self,
        filter: &GetOrdersRequest,
    ) -> Result<Answer<OrdersResponse>, PosError> {
        let mut params = Params::json(filter)?;
        params.query = filter
            .guids
            .iter()
            .map(|g| (wire::query::GUID, g.clone()))
            .chain(
                filter
                    .external_ids
                    .iter()
                    .map(|e| (wire::query::EXTERNAL_ID, e.clone())),
            )
            .collect();
        let r = self.call(Method::GetOrders, params).await?;
        self.decode(Method::GetOrders, &r.body)
    }

    /// This token's recent orders.
    pub async fn getorders_recent(&self) -> Result<Answer<OrdersResponse>, PosError> {
        self.getorders(&GetOrdersRequest::default()).await
    }

    pub async fn getorders_by_guids(
        &self,
        guids: &[String],
    ) -> Result<Answer<OrdersResponse>, PosError> {
        self.getorders(&GetOrdersRequest {
            guids: guids.to_vec(),
            external_ids: vec![],
        })
        .await
    }

    pub async fn getorders_by_external_ids(
        &self,
        ids: &[String],
    ) -> Result<Answer<OrdersResponse>, PosError> {
        self.getorders(&GetOrdersRequest {
            guids: vec![],
            external_ids: ids.to_vec(),
        })
        .await
    }

    /// `/close` (§5.6), with payments taken after the order was posted.
    pub async fn close(&self, req: &CloseRequest) -> Result<Answer<WireOrder>, PosError> {
        let r = self.call(Method::Close, Params::json(req)?).await?;
        self.decode(Method::Close, &r.body)
    }

    /// `/internal/print_info` (§5.7): the long comment of an order, from text or JSON.
    pub async fn print_info(&self, guid: &str) -> Result<PrintInfo, PosError> {
        let mut params = Params::json(&PrintInfoRequest { guid: guid.into() })?;
        params.query = vec![(wire::query::GUID, guid.to_string())];
        let r = self.call(Method::PrintInfo, params).await?;
        let looks_json = r
            .content_type
            .as_deref()
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"))
            || r.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if looks_json {
            let a: Answer<PrintInfoJson> = self.decode(Method::PrintInfo, &r.body)?;
            return Ok(PrintInfo {
                comment: a.data.comment.clone().unwrap_or_default(),
                json: Some(a),
            });
        }
        let text = String::from_utf8(r.body)
            .map_err(|_| PosError::Malformed("the print_info text is not UTF-8".into()))?;
        Ok(PrintInfo {
            comment: text,
            json: None,
        })
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        m: Method,
        body: &[u8],
    ) -> Result<Answer<T>, PosError> {
        decode::answer(body, m.name()).map_err(|e| error::scrub(e, &self.secrets))
    }

    /// One call with the retry rules of the module comment; non-2xx answers become errors.
    async fn call(&self, m: Method, params: Params) -> Result<Reply, PosError> {
        let mut verb = *self.config.verbs.get(m);
        let mut attempt = 0u32;
        let mut fell_back = false;
        loop {
            let outcome = self.round_trip(m, verb, &params).await;
            if let Ok(r) = &outcome {
                // The verb is a guess (§9 q.2): a read refused as GET is tried once as POST.
                if r.status == 405 && verb == Verb::Get && m.is_retryable_read() && !fell_back {
                    tracing::warn!(method = m.name(), "ProCart refused GET (405); trying POST");
                    verb = Verb::Post;
                    fell_back = true;
                    continue;
                }
            }
            let result = outcome.and_then(|r| {
                if (200..300).contains(&r.status) {
                    Ok(r)
                } else {
                    Err(error::from_status(r.status, &r.body))
                }
            });
            let result = result.map_err(|e| error::scrub(e, &self.secrets));
            match result {
                Err(e)
                    if m.is_retryable_read()
                        && attempt < self.config.retries.max_retries
                        && worth_retrying(&e) =>
                {
                    let pause = self.config.retries.delay(attempt);
                    tracing::debug!(method = m.name(), attempt, error = %e, "retrying after {pause:?}");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                Err(e) => {
                    tracing::warn!(method = m.name(), error = %e, "ProCart call failed");
                    return Err(e);
                }
                Ok(r) => return Ok(r),
            }
        }
    }

    /// Sends one request and reads the whole answer, whatever its status.
    async fn round_trip(&self, m: Method, verb: Verb, params: &Params) -> Result<Reply, PosError> {
        let token = self
            .config
            .token
            .as_deref()
            .filter(|t| !t.is_empty())
            .filter(|_| m != Method::PrintInfo || self.config.print_info_token);

        let mut url = self
            .base
            .join(m.path())
            .map_err(|e| PosError::Unreachable(e.to_string()))?;
        let mut query: Vec<(&str, &str)> = Vec::new();
        if verb == Verb::Get {
            query.extend(params.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut body = params.body.clone();
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        let mut bearer = false;
        if let Some(token) = token {
            for p in &self.config.token_placement {
                match p {
                    TokenPlacement::Query(name) => query.push((name.as_str(), token)),
                    TokenPlacement::Header(name) => {
                        if let (Ok(n), Ok(v)) = (
                            HeaderName::from_bytes(name.as_bytes()),
                            HeaderValue::from_str(token),
                        ) {
                            headers.push((n, v));
                        }
                    }
                    TokenPlacement::Bearer => bearer = true,
                    TokenPlacement::BodyField(name) => {
                        if verb == Verb::Post {
                            body = with_body_field(&body, name, token);
                        }
                    }
                }
            }
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }

        let mut rb = match verb {
            Verb::Get => self.http.get(url),
            Verb::Post => self
                .http
                .post(url)
                .header(CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body),
        };
        let accept = if m == Method::PrintInfo {
            "text/plain, */*;q=0.5"
        } else {
            "application/json"
        };
        rb = rb
            .header(ACCEPT, accept)
            .timeout(*self.config.timeouts.get(m));
        for (n, v) in headers {
            rb = rb.header(n, v);
        }
        if bearer {
            if let Some(token) = token {
                rb = rb.bearer_auth(token);
            }
        }

        let started = Instant::now();
        let mut resp = rb
            .send()
            .await
            .map_err(|e| error::from_transport(e, m.name()))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut bytes = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > self.config.max_body_bytes {
                        return Err(PosError::Malformed(format!(
                            "the answer to {} is larger than {} bytes",
                            m.name(),
                            self.config.max_body_bytes
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if (200..300).contains(&status) => {
                    return Err(error::from_transport(e, m.name()))
                }
                // An error status whose body broke off: the status alone still says enough.
                Err(_) => break,
            }
        }
        tracing::debug!(
            method = m.name(),
            path = m.path(),
            status,
            bytes = bytes.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "ProCart answered"
        );
        Ok(Reply {
            status,
            content_type,
            body: bytes,
        })
    }
}

/// Connection errors and server errors may pass; refusals, bad tokens and licences will not.
fn worth_retrying(e: &PosError) -> bool {
    match e {
        PosError::Unreachable(_) => true,
        PosError::Server { status, .. } => *status >= 500,
        _ => false,
    }
}

/// Adds `"name": "value"` as the first field of a JSON object body (§3 body placement).
/// Splicing the text keeps money written as exact numbers, which a round trip through
/// `serde_json::Value` would turn into floats.
fn with_body_field(body: &[u8], name: &str, value: &str) -> Vec<u8> {
    let trimmed = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    if body.get(trimmed) != Some(&b'{') {
        return body.to_vec();
    }
    let rest = &body[trimmed + 1..];
    let rest_is_empty = rest
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'}');
    let field = format!(
        "{}:{}",
        serde_json::Value::from(name),
        serde_json::Value::from(value)
    );
    let mut out = Vec::with_capacity(body.len() + field.len() + 2);
    out.push(b'{');
    out.extend_from_slice(field.as_bytes());
    if !rest_is_empty {
        out.push(b',');
    }
    out.extend_from_slice(rest);
    out
}

/// A token as it appears in a query string (`a b&c` → `a+b%26c`), so redaction catches it there.
fn query_encoded(token: &str) -> String {
    let mut u = Url::parse("http://x/").expect("a constant URL parses");
    u.query_pairs_mut().append_pair("t", token);
    u.query().unwrap_or("").trim_start_matches("t=").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_field_is_spliced_into_objects() {
        assert_eq!(
            with_body_field(b"{}", "token", "t"),
            br#"{"token":"t"}"#.to_vec()
        );
        assert_eq!(
            with_body_field(br#"{"a":849.10}"#, "token", "t\"x"),
            br#"{"token":"t\"x","a":849.10}"#.to_vec()
        );
        assert_eq!(with_body_field(b"[1]", "token", "t"), b"[1]".to_vec());
    }

    #[test]
    fn the_config_never_shows_the_token() {
        let c = ProcartConfig::new("http://127.0.0.1:1/api/v3", Some("s3cr3t-tok".into()));
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let client = ProcartClient::new(c).unwrap();
        assert!(!format!("{client:?}").contains("s3cr3t"));
    }

    #[test]
    fn encoded_tokens_are_known_secrets() {
        let c = ProcartConfig::new("http://127.0.0.1:1/api/v3", Some("a b&c".into()));
        let client = ProcartClient::new(c).unwrap();
        assert_eq!(
            client.secrets,
            vec!["a b&c".to_string(), "a+b%26c".to_string()]
        );
    }

    #[test]
    fn bad_configs_are_refused() {
        assert!(matches!(
            ProcartClient::new(ProcartConfig::new("not a url", None)),
            Err(PosError::Unreachable(_))
        ));
        assert!(matches!(
            ProcartClient::new(ProcartConfig::new("ftp://h/api/v3", None)),
            Err(PosError::Unreachable(_))
        ));
        assert!(matches!(
            ProcartClient::new(ProcartConfig::new("http://h/api/v3", Some("a\nb".into()))),
            Err(PosError::BadToken)
        ));
    }

    #[test]
    fn backoff_is_bounded() {
        let r = RetryPolicy::default();
        assert_eq!(r.delay(0), Duration::from_millis(200));
        assert_eq!(r.delay(1), Duration::from_millis(400));
        assert_eq!(r.delay(40), Duration::from_secs(2));
    }

    #[test]
    fn default_timeouts_follow_the_reference() {
        let t = PerMethod::<Duration>::default();
        assert!(t.getmenu >= Duration::from_secs(10));
        assert!(t.postorder >= Duration::from_secs(30));
        assert_eq!(t.ping, Duration::from_secs(10));
    }
}
