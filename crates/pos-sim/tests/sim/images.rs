//! The procedurally drawn pictures: served lazily, cached, with ETag and Cache-Control.

use reqwest::StatusCode;

use crate::common::*;

#[tokio::test]
async fn every_picture_of_the_demo_menu_is_a_jpeg() {
    let sim = start().await;
    let (_, menu) = get(&sim, "/api/v3/getmenu").await;
    let mut urls: Vec<String> = Vec::new();
    for key in ["categories", "combos"] {
        for o in menu[key].as_array().into_iter().flatten() {
            urls.push(o["image_url"].as_str().unwrap_or_default().to_string());
        }
    }
    // One dish per category is enough to cover every kind of picture.
    let mut seen = std::collections::HashSet::new();
    for d in menu["dishes"].as_array().into_iter().flatten() {
        if seen.insert(d["category_code"].clone()) {
            urls.push(d["image_url"].as_str().unwrap_or_default().to_string());
        }
    }
    for url in urls {
        let r = client().get(&url).send().await.expect("image");
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let ctype = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(ctype, "image/jpeg");
        assert!(r.headers().get("etag").is_some());
        assert!(r.headers().get("cache-control").is_some());
        let bytes = r.bytes().await.expect("bytes");
        let img = image::load_from_memory(&bytes).expect("decodes");
        assert_eq!((img.width(), img.height()), (800, 600), "{url}");
    }
}

#[tokio::test]
async fn pictures_are_stable_revalidated_and_404_for_unknown_objects() {
    let sim = start().await;
    let url = format!("{}/images/dish/1001.jpg", sim.url());
    let a = client().get(&url).send().await.expect("image");
    let etag = a
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let a = a.bytes().await.expect("bytes");
    let b = client()
        .get(&url)
        .send()
        .await
        .expect("image")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(a, b, "the same picture every time");
    let r = client()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("image");
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    let other = client()
        .get(format!("{}/images/dish/1002.jpg", sim.url()))
        .send()
        .await
        .expect("image")
        .bytes()
        .await
        .expect("bytes");
    assert_ne!(a, other, "different dishes get different pictures");

    for path in [
        "/images/dish/999999.jpg",
        "/images/dish/abc.jpg",
        "/images/plate/1001.jpg",
        "/images/combo/1001.jpg",
    ] {
        let r = client()
            .get(format!("{}{path}", sim.url()))
            .send()
            .await
            .expect("image");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
