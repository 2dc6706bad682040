//! Helpers shared by the provider tests.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::payment::{PaymentProgress, PaymentRequest};
use kiosk_core::ports::ProgressSink;
use kiosk_core::Money;
use tokio::sync::mpsc;

pub fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

pub fn req(id: &str, amount: &str) -> PaymentRequest {
    PaymentRequest {
        attempt_id: id.into(),
        order_ref: format!("kiosk-1-{id}"),
        amount: money(amount),
        description: "Order 042".into(),
    }
}

/// Records progress events and lets a test wait for one.
#[derive(Clone)]
pub struct Progress {
    pub seen: Arc<Mutex<Vec<PaymentProgress>>>,
    tx: mpsc::UnboundedSender<PaymentProgress>,
}

pub struct ProgressRx(mpsc::UnboundedReceiver<PaymentProgress>);

pub fn progress() -> (Progress, ProgressRx) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        Progress {
            seen: Arc::new(Mutex::new(Vec::new())),
            tx,
        },
        ProgressRx(rx),
    )
}

impl Progress {
    pub fn sink(&self) -> ProgressSink {
        let me = self.clone();
        Arc::new(move |p| {
            me.seen.lock().unwrap().push(p.clone());
            let _ = me.tx.send(p);
        })
    }

    pub fn all(&self) -> Vec<PaymentProgress> {
        self.seen.lock().unwrap().clone()
    }

    pub fn prompts(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter_map(|p| match p {
                PaymentProgress::Prompt { text } => Some(text),
                _ => None,
            })
            .collect()
    }
}

impl ProgressRx {
    /// The next QR shown, within 10 s.
    pub async fn qr(&mut self) -> (String, u32) {
        let deadline = Duration::from_secs(10);
        tokio::time::timeout(deadline, async {
            loop {
                match self.0.recv().await {
                    Some(PaymentProgress::ShowQr {
                        payload,
                        expires_in_s,
                    }) => return (payload, expires_in_s),
                    Some(_) => continue,
                    None => panic!("the payment ended without showing a QR"),
                }
            }
        })
        .await
        .expect("a QR within 10 s")
    }
}

/// Awaits a future with a generous deadline, so a hang fails the test instead of blocking CI.
pub async fn within<T>(secs: u64, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .unwrap_or_else(|_| panic!("not done within {secs} s"))
}

/// Polls `check` until it is true or the deadline passes.
pub async fn eventually(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if check() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A merchant endpoint for notifications: forwards each body to `handle` and answers what
/// it returns; the first `fail_first` requests get a 500 instead.
pub async fn receiver(
    fail_first: usize,
    handle: impl Fn(&[u8]) -> String + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    use axum::body::Bytes;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let bodies = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let seen = bodies.clone();
    let handle = Arc::new(handle);
    let app = axum::Router::new().route(
        "/notify",
        axum::routing::post(move |body: Bytes| {
            let seen = seen.clone();
            let handle = handle.clone();
            async move {
                let n = {
                    let mut s = seen.lock().unwrap();
                    s.push(body.to_vec());
                    s.len()
                };
                if n <= fail_first {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "busy".to_string()).into_response();
                }
                (StatusCode::OK, handle(&body)).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/notify"), bodies)
}
