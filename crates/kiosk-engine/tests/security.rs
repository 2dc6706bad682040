//! Hostile input at every door of the engine: the ProCart notification listener (HTTP from the
//! network) and the functions behind the IPC commands (whatever a compromised or buggy page
//! could send). Each must refuse with a clear error, never panic, never reach the POS or the
//! payment terminal with a cart it should have refused, and never take long.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk_core::cart::{Cart, CartLine, ChosenModifier, ComboPick, OrderType};
use kiosk_core::error::ErrorCode;
use kiosk_core::Money;
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::MemorySecrets;
use kiosk_engine::KioskConfig;
use pos_sim::{SimConfig, SimServer};

struct Rig {
    sim: SimServer,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = KioskConfig::demo(&sim.url(), dir.path().to_path_buf());
    config.callbacks = Some(kiosk_engine::config::CallbackSection {
        listen: "127.0.0.1:0".into(),
        public_url: None,
    });
    let timings = Timings {
        track_every: Duration::from_secs(3600),
        backoff: vec![Duration::from_millis(50)],
        payment_resolve_for: Duration::from_secs(2),
    };
    let engine = Engine::from_config(
        config,
        &MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN),
        timings,
    )
    .unwrap();
    engine.start_background();
    Rig {
        sim,
        engine,
        _dir: dir,
    }
}

fn line(dish: &str, qty: u32) -> CartLine {
    CartLine {
        dish: dish.into(),
        qty,
        modifiers: vec![],
        comment: None,
        combo: vec![],
    }
}

/// Every malformed notification is refused with a status and a reason; nothing else answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notification_listener_refuses_malformed_requests() {
    let r = rig().await;
    let url = r.engine.callback_url.clone().unwrap();
    let (base, secret) = url.rsplit_once("/procart/").unwrap();
    let http = reqwest::Client::new();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let huge = format!(
        r#"{{"guid":"{}","status":"bill"}}"#,
        "x".repeat(3 * 1024 * 1024)
    );
    let long_path = format!("{base}/procart/{}", "a".repeat(10_000));
    // (what, method, url, body, expected status)
    let cases: Vec<(&str, &str, String, Vec<u8>, u16)> = vec![
        ("not JSON", "POST", url.clone(), b"{not json".to_vec(), 400),
        (
            "not UTF-8",
            "POST",
            url.clone(),
            vec![0xff, 0xfe, 0x00, 0x80],
            400,
        ),
        ("empty", "POST", url.clone(), vec![], 400),
        (
            "wrong types",
            "POST",
            url.clone(),
            br#"{"guid": 5, "status": ["bill"]}"#.to_vec(),
            400,
        ),
        (
            "no status",
            "POST",
            url.clone(),
            br#"{"guid": "{1}"}"#.to_vec(),
            400,
        ),
        (
            "nested 10k deep",
            "POST",
            url.clone(),
            deep.into_bytes(),
            400,
        ),
        ("3 MiB body", "POST", url.clone(), huge.into_bytes(), 413),
        (
            "wrong secret",
            "POST",
            format!("{base}/procart/{}", "0".repeat(secret.len())),
            b"{}".to_vec(),
            404,
        ),
        (
            "secret prefix",
            "POST",
            format!("{base}/procart/{}", &secret[..secret.len() - 1]),
            b"{}".to_vec(),
            404,
        ),
        ("10k path", "POST", long_path, b"{}".to_vec(), 404),
        (
            "traversal",
            "POST",
            format!("{base}/procart/..%2F..%2F{secret}"),
            b"{}".to_vec(),
            404,
        ),
        (
            "other path",
            "POST",
            format!("{base}/admin"),
            b"{}".to_vec(),
            404,
        ),
        ("root", "GET", format!("{base}/"), vec![], 404),
        ("GET on the secret path", "GET", url.clone(), vec![], 405),
    ];
    for (what, method, target, body, want) in cases {
        let started = Instant::now();
        let req = match method {
            "GET" => http.get(&target),
            _ => http.post(&target).body(body),
        };
        let resp = match req.send().await {
            Ok(r) => r,
            // The listener may answer 413 and close before the client has sent the whole
            // oversized body; the client then sees the connection closed. Refused either way.
            Err(e) if want == 413 => {
                assert!(e.is_request() || e.is_body(), "{what}: {e}");
                continue;
            }
            Err(e) => panic!("{what}: {e}"),
        };
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        assert_eq!(status, want, "{what}: {text}");
        if want == 400 {
            assert!(!text.trim().is_empty(), "{what}: a 400 says why");
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what} took long"
        );
    }
    // Well-formed, but with control characters and for orders this kiosk never made: ignored.
    for body in [
        serde_json::json!({"guid": "{1}", "external_id": "x\u{0}\u{1b}[31m", "status": "close"}),
        serde_json::json!({"guid": "{1}", "external_id": "'; DROP TABLE checkouts; --", "status": "deleted"}),
    ] {
        let resp = http.post(&url).json(&body).send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert!(
            status == 400 || (status == 200 && text.contains("ignored")),
            "{body}: {status} {text}"
        );
    }
    // The journal is intact after all that.
    assert!(r
        .engine
        .checkouts
        .as_ref()
        .unwrap()
        .journal
        .recent(10)
        .is_ok());
    r.sim.stop().await;
}

/// The functions behind `estimate_cart`, `price_cart` and `checkout` with carts no kiosk UI
/// would send: each is refused with `cart_invalid` and the reason, quickly, and nothing reaches
/// the POS or the terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_carts_are_refused_before_the_pos_and_the_terminal() {
    let r = rig().await;
    let menu = r.engine.menu_view().await.unwrap();
    let c = &menu.catalog;
    let plain = c
        .dishes
        .iter()
        .find(|d| {
            d.availability.can_sell(1)
                && d.modifier_groups
                    .iter()
                    .filter_map(|g| c.modifier_group(g))
                    .all(|g| g.min == 0)
        })
        .unwrap()
        .id
        .clone();
    let combo = c.combos.first().expect("the demo has combos");
    let slot = combo.slots.first().unwrap();
    let a_modifier = c
        .modifier_groups
        .iter()
        .flat_map(|g| g.modifiers.iter())
        .next()
        .unwrap()
        .id
        .clone();
    let mut cases: Vec<(&str, Cart)> = vec![
        (
            "empty",
            Cart {
                order_type: OrderType::EatIn,
                lines: vec![],
            },
        ),
        (
            "qty 0",
            Cart {
                order_type: OrderType::EatIn,
                lines: vec![line(&plain, 0)],
            },
        ),
        (
            "qty u32::MAX",
            Cart {
                order_type: OrderType::EatIn,
                lines: vec![line(&plain, u32::MAX)],
            },
        ),
        (
            "unknown dish",
            Cart {
                order_type: OrderType::EatIn,
                lines: vec![line("no-such-dish", 1)],
            },
        ),
        (
            "empty id",
            Cart {
                order_type: OrderType::EatIn,
                lines: vec![line("", 1)],
            },
        ),
        (
            "100k id",
            Cart {
                order_type: OrderType::EatIn,
                lines: vec![line(&"9".repeat(100_000), 1)],
            },
        ),
        (
            "10k lines",
            Cart {
                order_type: OrderType::EatIn,
                lines: vec![line(&plain, 1); 10_000],
            },
        ),
    ];
    let mut with = |what: &'static str, f: &dyn Fn(&mut CartLine)| {
        let mut l = line(&plain, 1);
        f(&mut l);
        cases.push((
            what,
            Cart {
                order_type: OrderType::Takeaway,
                lines: vec![l],
            },
        ));
    };
    with("control characters in the comment", &|l| {
        l.comment = Some("no onion\u{0}\u{7}\u{1b}[2J".into())
    });
    with("a line break in the comment", &|l| {
        l.comment = Some("a\r\nb".into())
    });
    with("1 MiB comment", &|l| l.comment = Some("x".repeat(1 << 20)));
    with("unknown modifier", &|l| {
        l.modifiers = vec![ChosenModifier {
            id: "nope".into(),
            qty: 1,
        }]
    });
    with("modifier qty u32::MAX twice", &|l| {
        l.modifiers = vec![
            ChosenModifier {
                id: a_modifier.clone(),
                qty: u32::MAX,
            },
            ChosenModifier {
                id: a_modifier.clone(),
                qty: u32::MAX,
            },
        ]
    });
    with("10k modifiers", &|l| {
        l.modifiers = vec![
            ChosenModifier {
                id: a_modifier.clone(),
                qty: 1
            };
            10_000
        ]
    });
    with("combo parts on a dish", &|l| {
        l.combo = vec![ComboPick {
            slot: "1".into(),
            dish: plain.clone(),
            qty: 1,
            modifiers: vec![],
        }]
    });
    let combo_line = |qty: u32, pick_qty: u32, picks: usize| CartLine {
        dish: combo.id.clone(),
        qty,
        modifiers: vec![],
        comment: None,
        combo: vec![
            ComboPick {
                slot: slot.id.clone(),
                dish: slot.choices[0].dish.clone(),
                qty: pick_qty,
                modifiers: vec![],
            };
            picks
        ],
    };
    cases.push((
        "combo pick qty overflow",
        Cart {
            order_type: OrderType::EatIn,
            lines: vec![combo_line(2, u32::MAX, 1)],
        },
    ));
    cases.push((
        "combo picks summing past u32",
        Cart {
            order_type: OrderType::EatIn,
            lines: vec![combo_line(1, u32::MAX / 2 + 1, 3)],
        },
    ));

    let before = r.sim.control().orders().len();
    for (what, cart) in cases {
        let started = Instant::now();
        let est = r.engine.estimate(1, cart.clone()).await;
        match est {
            Ok(p) => assert!(!p.problems.is_empty(), "{what}: estimate found no problem"),
            Err(e) => assert_eq!(e.code, ErrorCode::CartInvalid, "{what}: {e:?}"),
        }
        let e = r.engine.price(2, cart.clone()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::CartInvalid, "{what}: {e:?}");
        assert!(!e.message.is_empty() && !e.problems.is_empty(), "{what}");
        let e = r
            .engine
            .checkout(cart, Money::from_minor(100), Arc::new(|_| {}))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::CartInvalid, "{what}: {e:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{what} took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(
        r.sim.control().orders().len(),
        before,
        "an order reached the POS"
    );
    assert!(
        r.engine
            .checkouts
            .as_ref()
            .unwrap()
            .journal
            .recent(10)
            .unwrap()
            .is_empty(),
        "a refused cart was journaled (a payment may have started)"
    );
    r.sim.stop().await;
}

/// The other commands' inputs: checkout ids, picture requests, amounts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_command_inputs_are_refused_cleanly() {
    let r = rig().await;
    r.engine.menu_view().await.unwrap();
    for id in [
        "",
        "../../etc/passwd",
        "' OR 1=1 --",
        "\u{0}",
        &"a".repeat(1 << 20),
    ] {
        let e = r.engine.order_view(id).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound, "{id:.20}: {e:?}");
    }
    for (kind, id, size, code) in [
        ("dish", "../../journal.db", "card", ErrorCode::NotFound),
        ("dish", "/etc/passwd", "card", ErrorCode::NotFound),
        ("file", "1001", "card", ErrorCode::BadInput),
        ("dish", "1001", "huge", ErrorCode::BadInput),
        ("dish", "\u{0}", "card", ErrorCode::NotFound),
    ] {
        let e = r.engine.image(kind, id, size).await.unwrap_err();
        assert_eq!(e.code, code, "{kind} {id:?} {size}: {e:?}");
    }
    // Amounts arrive as strings; anything but a plain decimal is a decoding error, not a panic.
    for bad in [
        "\"1e400\"",
        "\"NaN\"",
        "\"abc\"",
        "\"99999999999999999999999999999999\"",
        "null",
        "[]",
    ] {
        assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
    }
    // Carts that do not even decode (what Tauri refuses before the command runs).
    for bad in [
        r#"{"order_type":"eat_in","lines":[{"dish":"1","qty":-1}]}"#,
        r#"{"order_type":"eat_in","lines":[{"dish":"1","qty":4294967296}]}"#,
        r#"{"order_type":"delivery","lines":[]}"#,
        r#"{"order_type":"eat_in","lines":[{"dish":1,"qty":1}]}"#,
    ] {
        assert!(serde_json::from_str::<Cart>(bad).is_err(), "{bad}");
    }
    r.sim.stop().await;
}
