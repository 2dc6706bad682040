//! A kiosk data folder as a kiosk leaves it after a day with its POS: the snapshot of a
//! generated menu and every picture in the cache. Then the POS goes away, and the settings file
//! written here points at it: cold start and memory measure the kiosk starting from its cache.

use std::path::Path;
use std::sync::Arc;

use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::MemorySecrets;
use kiosk_engine::KioskConfig;

pub fn run(dishes: usize, dir: &str) -> anyhow::Result<()> {
    let dir = std::fs::canonicalize({
        std::fs::create_dir_all(dir)?;
        dir
    })?;
    let data = dir.join("data");
    if data.exists() {
        std::fs::remove_dir_all(&data)?;
    }
    let rt = tokio::runtime::Runtime::new()?;
    let (url, sections, cards) = rt.block_on(async {
        let mut cfg = pos_sim::SimConfig::default();
        cfg.procart.menu = pos_sim::generated_menu(dishes);
        let sim = pos_sim::spawn(cfg).await?;
        let url = sim.url();
        let mut config = KioskConfig::demo(&url, data.clone());
        config.payment.provider = "counter".into();
        config.payment.url = None;
        let engine: Arc<Engine> = Engine::from_config(
            config,
            &MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN),
            Timings::default(),
        )?;
        let menu = engine
            .menu_view()
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let c = &menu.catalog;
        let urls: Vec<String> = c
            .dishes
            .iter()
            .filter_map(|d| d.image_url.clone())
            .chain(c.combos.iter().filter_map(|x| x.image_url.clone()))
            .chain(c.sections.iter().filter_map(|s| s.image_url.clone()))
            .collect();
        let n = urls.len();
        engine.images.clone().prefetch(urls).await;
        let made = engine.images.stats().made as usize;
        anyhow::ensure!(made == n, "only {made} of {n} pictures cached");
        sim.stop().await;
        anyhow::Ok((url, c.sections.len(), menu.cards.len()))
    })?;
    let config = dir.join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            r#"# Written by `kiosk-bench seed`: a kiosk whose POS ({url}) is gone.
[kiosk]
id = "bench-1"
data_dir = "{}"
idle_timeout_s = 600

[pos]
kind = "procart"
url = "{url}"

[payment]
provider = "counter"
tender = "1"

[order_types]
offered = ["eat_in", "takeaway"]
categories = {{ eat_in = "1", takeaway = "2" }}
"#,
            data.display()
        ),
    )?;
    println!(
        "seeded {} ({dishes} dishes, {cards} cards, {sections} sections, every picture cached); settings: {}",
        data.display(),
        Path::new(&config).display()
    );
    Ok(())
}
