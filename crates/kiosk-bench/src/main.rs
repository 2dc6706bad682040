//! `kiosk-bench`: the measurements behind `make bench` (see `bench/README.md`).
//!
//! Each subcommand prints a table with the numbers beside their targets and writes
//! `bench/results/<step>.json` (and a PNG where a curve says more). Targets are reported, not
//! asserted: a benchmark that misses its target still exits 0; one that cannot run exits 1.
//!
//! - `ingest`: ProCart `getmenu` and Jupiter `getTT` bodies of generated menus, decoded into a
//!   checked catalog, beside a plain `serde_json::Value` parse of the same bytes.
//! - `images-gen DIR N` / `images DIR`: the picture pipeline over N generated 1600×1200 JPEGs
//!   served over loopback HTTP: pictures and thumbnails per second, and the peak memory. Made
//!   in two processes so the peak is the pipeline's, not the generator's.
//! - `seed`: a data folder with the snapshot and pictures of a generated menu, and a settings
//!   file pointing at a POS that is gone: what cold start and memory run on.
//! - `coldstart`: spawn → first menu picture served (the page has the menu on screen), for the
//!   kiosk and for an empty Tauri window, median of N.

mod coldstart;
mod images;
mod ingest;
mod plot;
mod seed;
mod table;

use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: kiosk-bench ingest [--out DIR] [--sizes 500,5000,20000]\n\
         \x20      kiosk-bench images-gen DIR COUNT\n\
         \x20      kiosk-bench images DIR [--out DIR]\n\
         \x20      kiosk-bench seed --dishes N --dir DIR\n\
         \x20      kiosk-bench coldstart --app BIN --empty BIN --config FILE [--runs 5] [--out DIR]"
    );
    ExitCode::from(2)
}

/// The value after `--name`, if given.
pub fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        return usage();
    };
    let out = flag(&args, "--out").unwrap_or_else(|| "bench/results".into());
    let result = match cmd.as_str() {
        "ingest" => {
            let sizes = flag(&args, "--sizes")
                .unwrap_or_else(|| "500,5000,20000".into())
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect();
            ingest::run(sizes, &out)
        }
        "images-gen" => match (args.get(1), args.get(2).and_then(|n| n.parse().ok())) {
            (Some(dir), Some(n)) => images::generate(dir, n),
            _ => return usage(),
        },
        "images" => match args.get(1) {
            Some(dir) => images::run(dir, &out),
            None => return usage(),
        },
        "seed" => match (
            flag(&args, "--dishes").and_then(|n| n.parse().ok()),
            flag(&args, "--dir"),
        ) {
            (Some(n), Some(dir)) => seed::run(n, &dir),
            _ => return usage(),
        },
        "coldstart" => match (
            flag(&args, "--app"),
            flag(&args, "--empty"),
            flag(&args, "--config"),
        ) {
            (Some(app), Some(empty), Some(config)) => {
                let runs = flag(&args, "--runs")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(5);
                coldstart::run(&app, &empty, &config, runs, &out)
            }
            _ => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk-bench {cmd}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// What the numbers were measured on, for every results file.
pub fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_default();
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    // Other work on the machine (builds, tests) slows every number down; say how busy it was.
    let load = load_average();
    serde_json::json!({
        "cpu": cpu,
        "load_average_1m": load,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "memory_gib": mem_kib / 1024 / 1024,
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "when_unix": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    })
}

/// User + system CPU seconds this process has used so far.
pub fn cpu_seconds() -> f64 {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name.
            Some(after.get(11)?.parse::<f64>().ok()? + after.get(12)?.parse::<f64>().ok()?)
        })
        .unwrap_or(0.0);
    ticks / 100.0
}

/// The machine's 1-minute load average now.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// Writes `bench/results/<name>.json`.
pub fn write_json(dir: &str, name: &str, value: &serde_json::Value) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = std::path::Path::new(dir).join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(value)?)?;
    println!("written: {}", path.display());
    Ok(())
}

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
