//! Status tracking by polling `get_closed_orders`.

use kiosk_core::order::{OrderRequest, OrderStatus};
use kiosk_core::ports::Pos;
use kiosk_core::Money;
use pos_jupiter::wire::{ClosedOrdersResponse, OpenOrder};
use pos_jupiter::{StatusPoll, StatusTracker, TrackedStatus};
use serde_json::json;

use crate::support::{roll_and_drink, Sim};

fn open(uid: &str, sum: &str) -> OpenOrder {
    OpenOrder {
        uid: uid.into(),
        open_time: "12:00".into(),
        name: "1".into(),
        sum_fakt: Money::parse(sum).unwrap(),
    }
}

fn poll(asked: &[&str], closed: &[&str], open_orders: Vec<OpenOrder>) -> StatusPoll {
    let asked: Vec<String> = asked.iter().map(|s| s.to_string()).collect();
    StatusPoll::from_response(
        &asked,
        ClosedOrdersResponse {
            closed_orders: closed.iter().map(|s| s.to_string()).collect(),
            open_orders,
        },
    )
}

#[test]
fn polls_become_changes_and_missing_orders_become_lost() {
    let mut t = StatusTracker::new(3);
    t.track("a");
    t.track("b");
    let changes = t.apply(&poll(&["a", "b"], &[], vec![open("a", "10")]));
    assert_eq!(changes.len(), 2);
    assert!(matches!(t.status("a"), Some(TrackedStatus::Open { .. })));
    assert_eq!(t.status("b"), Some(&TrackedStatus::Missing { polls: 1 }));
    // The same answer again: nothing changed for a; b keeps counting.
    let changes = t.apply(&poll(&["a", "b"], &[], vec![open("a", "10")]));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].uid, "b");
    let changes = t.apply(&poll(&["a", "b"], &[], vec![open("a", "12")]));
    assert_eq!(changes.len(), 2, "a's total moved, b is lost");
    assert_eq!(t.status("b"), Some(&TrackedStatus::Lost));
    assert_eq!(
        TrackedStatus::Lost.order_status(),
        OrderStatus::Unknown { raw: "lost".into() }
    );
    // Closed is reported once and the order is no longer tracked.
    let changes = t.apply(&poll(&["a", "b"], &["a", "not-asked"], vec![]));
    assert!(changes
        .iter()
        .any(|c| c.uid == "a" && c.status == TrackedStatus::Closed));
    assert_eq!(t.tracked(), vec!["b"]);
    assert_eq!(TrackedStatus::Closed.order_status(), OrderStatus::Closed);
    // A lost order that shows up again is followed again.
    t.apply(&poll(&["b"], &[], vec![open("b", "1")]));
    assert!(matches!(t.status("b"), Some(TrackedStatus::Open { .. })));
}

#[test]
fn a_poll_only_trusts_asked_ids_as_closed() {
    let p = poll(&["a"], &["a", "z"], vec![open("x", "1")]);
    assert_eq!(p.closed, vec!["a"]);
    assert!(p.missing.is_empty());
    assert_eq!(p.open.len(), 1);
}

#[tokio::test]
async fn the_tracker_follows_an_order_until_staff_close_it() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    let req = OrderRequest {
        cart: roll_and_drink(),
        context: Default::default(),
        external_id: "t-1".into(),
        expected_total: Money::parse("407.50").unwrap(),
        payment: None,
        comment: None,
        short_comment: Some("5".into()),
        callback_url: None,
    };
    pos.place_order(&catalog, &req).await.unwrap();
    let mut t = StatusTracker::new(2);
    t.track("t-1");
    t.track("ghost");
    let changes = t.poll(&pos).await.unwrap();
    assert!(changes
        .iter()
        .any(|c| c.uid == "t-1" && matches!(&c.status, TrackedStatus::Open { total, name, .. } if total.to_string() == "407.50" && name == "5")));
    sim.post("/_sim/orders/t-1/close", json!({})).await;
    let changes = t.poll(&pos).await.unwrap();
    assert!(changes
        .iter()
        .any(|c| c.uid == "t-1" && c.status == TrackedStatus::Closed));
    assert_eq!(t.status("ghost"), Some(&TrackedStatus::Lost));
    assert_eq!(t.tracked(), vec!["ghost"]);
    let found = pos.find_order("t-1").await.unwrap().unwrap();
    assert_eq!(found.status, OrderStatus::Closed);
}
