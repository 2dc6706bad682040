//! `/getmenu`, the demo restaurant, generated menus and fixture loading (§5.2).

use std::time::{Duration, Instant};

use pos_sim::{generated_menu, MenuFixture, SimConfig, DEMO_TOKEN};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn the_demo_menu_looks_like_a_real_restaurant() {
    let sim = start().await;
    let (status, menu) = get(&sim, "/api/v3/getmenu").await;
    assert_eq!(status, StatusCode::OK);
    let categories = menu["categories"].as_array().expect("categories");
    let dishes = menu["dishes"].as_array().expect("dishes");
    let combos = menu["combos"].as_array().expect("combos");
    assert!(categories.len() >= 8, "{} categories", categories.len());
    assert!(dishes.len() >= 60, "{} dishes", dishes.len());
    assert!(combos.len() >= 2);
    assert!(menu["menu_version"].as_str().is_some_and(|v| !v.is_empty()));

    let cheeseburger = dishes
        .iter()
        .find(|d| d["code"] == 1001)
        .expect("dish 1001");
    assert_eq!(cheeseburger["name"], "Чизбургер");
    assert_eq!(money(&cheeseburger["price"]), dec("189.90"));
    assert_eq!(cheeseburger["portion"]["unit"], "г");
    assert_eq!(cheeseburger["remains"], Value::Null);
    assert_eq!(
        cheeseburger["image_url"],
        format!("{}/images/dish/1001.jpg", sim.url())
    );
    assert!(cheeseburger["tags"]
        .as_array()
        .is_some_and(|t| t.contains(&json!("hit"))));

    let stopped = dishes.iter().filter(|d| d["remains"] == 0).count();
    let limited = dishes
        .iter()
        .filter(|d| d["remains"].as_i64().is_some_and(|r| r > 0))
        .count();
    assert!(stopped >= 3, "{stopped} dishes in the stop-list");
    assert!(limited >= 2);
    for tag in ["new", "spicy", "vegetarian", "hit"] {
        assert!(
            dishes.iter().any(|d| d["tags"]
                .as_array()
                .is_some_and(|t| t.contains(&json!(tag)))),
            "no dish tagged {tag}"
        );
    }
    // Every object points at a picture served by the simulator itself.
    for c in categories.iter().chain(dishes).chain(combos) {
        let url = c["image_url"].as_str().expect("image_url");
        assert!(url.starts_with(&sim.url()), "{url}");
    }

    // Modifier schemes: a required single choice and an optional multi-choice group.
    let burger = menu["modifier_schemes"]
        .as_array()
        .and_then(|s| {
            s.iter()
                .find(|s| s["code"] == cheeseburger["modifier_scheme_code"])
        })
        .expect("the cheeseburger's scheme");
    let groups = burger["groups"].as_array().expect("groups");
    assert!(groups.iter().any(|g| g["min"] == 1 && g["max"] == 1));
    assert!(groups.iter().any(|g| g["min"] == 0
        && g["max"] == 3
        && g["modifiers"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["max_quantity"] == 2))));

    let combo = &combos[0];
    assert!(combo["groups"].as_array().is_some_and(|g| g.len() >= 3));
    assert!(combo["groups"][0]["default_dish_code"].is_i64());
    assert!(menu["order_categories"]
        .as_array()
        .is_some_and(|o| o.len() >= 2));
}

#[tokio::test]
async fn money_is_written_as_numbers_with_two_decimals() {
    let sim = start().await;
    let text = client()
        .get(format!("{}/api/v3/getmenu", sim.url()))
        .header("token", DEMO_TOKEN)
        .send()
        .await
        .expect("getmenu")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("\"price\":189.90"),
        "prices keep their kopecks"
    );
    assert!(text.contains("\"price_delta\":0.00"));
    assert!(!text.contains("\"price\":\""), "no money as strings");
}

#[tokio::test]
async fn getmenu_accepts_post_and_applies_its_latency() {
    let mut config = SimConfig::default();
    config.procart.settings.getmenu_latency_ms = 300;
    let sim = start_with(config).await;
    let started = Instant::now();
    let (status, _) = post(&sim, "/api/v3/getmenu", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn price_and_remains_changes_show_in_the_menu_with_a_new_version() {
    let sim = start().await;
    let (_, before) = get(&sim, "/api/v3/getmenu").await;
    let (status, _) = post(
        &sim,
        "/_sim/menu/price",
        json!({ "code": 1001, "price": "199.90" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post(
        &sim,
        "/_sim/menu/remains",
        json!({ "code": 1002, "remains": 0 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = get(&sim, "/api/v3/getmenu").await;
    assert_ne!(before["menu_version"], after["menu_version"]);
    let dish = |m: &Value, code: i64| {
        m["dishes"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["code"] == code).cloned())
            .expect("dish")
    };
    assert_eq!(money(&dish(&after, 1001)["price"]), dec("199.90"));
    assert_eq!(dish(&after, 1002)["remains"], 0);

    let (status, body) = post(
        &sim,
        "/_sim/menu/price",
        json!({ "code": 424242, "price": "1" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "UNKNOWN_CODE");
}

#[test]
fn big_generated_menus_build_fast() {
    for n in [5_000, 20_000] {
        let started = Instant::now();
        let menu = generated_menu(n);
        let took = started.elapsed();
        assert_eq!(menu.dishes.len(), n);
        assert!(menu.validate().is_ok(), "{:?}", menu.validate());
        assert!(
            took < Duration::from_millis(900),
            "{n} dishes took {took:?}"
        );
    }
    assert!(MenuFixture::load("generated:5000").is_ok());
    assert!(MenuFixture::load("generated:lots").is_err());
}

#[tokio::test]
async fn a_generated_menu_is_served_without_drawing_pictures() {
    let mut config = SimConfig::default();
    config.procart.menu = generated_menu(20_000);
    let sim = start_with(config).await;
    let (status, menu) = get(&sim, "/api/v3/getmenu").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(menu["dishes"].as_array().map(Vec::len), Some(20_000));
    let url = menu["dishes"][19_999]["image_url"]
        .as_str()
        .expect("url")
        .to_string();
    let r = client().get(url).send().await.expect("image");
    assert_eq!(r.status(), StatusCode::OK);
}

#[test]
fn a_bad_menu_file_names_the_file_and_the_problem() {
    let dir = std::env::temp_dir().join(format!("pos-sim-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    let missing = dir.join("missing.json");
    let e = MenuFixture::load(missing.to_str().expect("path")).expect_err("missing file");
    assert!(e.to_string().contains("missing.json"), "{e}");

    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{ \"categories\": [ ").expect("write");
    let e = MenuFixture::load(broken.to_str().expect("path")).expect_err("broken json");
    assert!(e.to_string().contains("broken.json"), "{e}");

    let dangling = dir.join("dangling.json");
    std::fs::write(
        &dangling,
        r#"{ "categories": [ { "code": 1, "name": "A" } ],
             "dishes": [ { "code": 10, "name": "X", "category_code": 2, "price": "1.00" } ] }"#,
    )
    .expect("write");
    let e = MenuFixture::load(dangling.to_str().expect("path")).expect_err("dangling category");
    let text = e.to_string();
    assert!(
        text.contains("dangling.json") && text.contains("category_code 2"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
