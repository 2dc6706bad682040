//! Harness shared by the `kioskctl` black-box tests: reading its JSON answers, and the fault
//! matrices' judging of a case (the killed first run, the resumed journal, the end states) and
//! their printed grid. Each test binary compiles this module on its own and uses only part of
//! it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// The one JSON document a successful `kioskctl` run printed for `args`.
pub fn one_json(args: &[&str], out: Output) -> Value {
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim().lines().count(), 1, "one JSON document: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Writes the cart `json` into `dir` and returns its path, for `--cart`.
pub fn write_cart(dir: &Path, json: &str) -> String {
    let p = dir.join(format!("cart-{}.json", json.len()));
    std::fs::write(&p, json).unwrap();
    p.to_string_lossy().into_owned()
}

/// Kopecks in a money string, -1 when it is not one.
pub fn kopecks(text: &str) -> i64 {
    pay_sim::yookassa::parse_kopecks(text).unwrap_or(-1)
}

/// What one case ended in, for the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub killed: bool,
    pub states: String,
    /// Why staff were called, when they were.
    pub staff: Option<String>,
}

/// Outcomes by (crash point, scenario).
pub type Results<S> = BTreeMap<(String, S), Result<Outcome, String>>;

/// Whether the first run was killed at its crash point; an error when it died without having
/// to, or lived when it had to die.
pub fn killed_as_planned(first: &Output, must_die: bool) -> Result<bool, String> {
    let killed = first.status.signal() == Some(9);
    if killed != must_die {
        return Err(format!(
            "the first run {} (exit {:?}): {}",
            if killed {
                "died unexpectedly"
            } else {
                "did not reach its crash point"
            },
            first.status,
            String::from_utf8_lossy(&first.stderr)
        ));
    }
    Ok(killed)
}

/// The journal a `kioskctl resume` run printed, or why there is none.
pub fn resumed_journal(resumed: &Output) -> Result<Value, String> {
    let journal: Value = serde_json::from_slice(&resumed.stdout).map_err(|e| {
        format!(
            "resume printed no journal ({e}): {}",
            String::from_utf8_lossy(&resumed.stderr)
        )
    })?;
    if !resumed.status.success() {
        return Err(format!(
            "resume failed: {}",
            String::from_utf8_lossy(&resumed.stderr)
        ));
    }
    Ok(journal)
}

/// The case's outcome when the journal holds no checkout (`allowed` empty) or exactly one in
/// one of the `allowed` states.
pub fn outcome(killed: bool, journal: &Value, allowed: &[&str]) -> Result<Outcome, String> {
    let checkouts = journal["checkouts"].as_array().unwrap();
    let states: Vec<String> = checkouts
        .iter()
        .map(|c| c["state"].as_str().unwrap().to_string())
        .collect();
    let ok = if allowed.is_empty() {
        states.is_empty()
    } else {
        states.len() == 1 && allowed.contains(&states[0].as_str())
    };
    if !ok {
        return Err(format!("ended as {states:?}, expected one of {allowed:?}"));
    }
    Ok(Outcome {
        killed,
        states: if states.is_empty() {
            "-".into()
        } else {
            states.join(",")
        },
        staff: checkouts
            .iter()
            .find(|c| c["state"] == "needs_staff")
            .map(|c| c["notice"]["reason"].as_str().unwrap_or("?").to_string()),
    })
}

/// The journal's checkouts by their `key` (a string field, such as `attempt_id`).
pub fn index_by<'a>(checkouts: &'a [Value], key: &str) -> BTreeMap<&'a str, &'a Value> {
    checkouts
        .iter()
        .map(|c| (c[key].as_str().unwrap(), c))
        .collect()
}

/// Notes in `broken` every checkout left in one of the `unfinished` states after the resume,
/// and every one with staff that does not say why.
pub fn check_finished(checkouts: &[Value], unfinished: &[&str], broken: &mut Vec<String>) {
    for c in checkouts {
        let state = c["state"].as_str().unwrap();
        if unfinished.contains(&state) {
            broken.push(format!("checkout {} is still {state}", c["checkout_id"]));
        }
        if state == "needs_staff" && c["notice"].is_null() {
            broken.push(format!(
                "checkout {} needs staff but says nothing",
                c["checkout_id"]
            ));
        }
    }
}

/// The matrix's grid: a row per crash point that has a result, a `width`-wide column per
/// scenario.
pub fn matrix_grid<S: Debug + Copy + Ord>(
    title: &str,
    scenarios: &[S],
    results: &Results<S>,
    width: usize,
) -> String {
    let mut out = format!("\n{title}: crash point x scenario, the outcome after restart\n");
    out.push_str(&format!("{:<28}", "crash point"));
    for s in scenarios {
        out.push_str(&format!("{:<width$}", format!("{s:?}")));
    }
    out.push('\n');
    let mut points: Vec<&str> = vec!["(none)"];
    points.extend(kiosk_engine::crashpoint::POINTS);
    for p in points {
        if !scenarios
            .iter()
            .any(|s| results.contains_key(&(p.to_string(), *s)))
        {
            continue;
        }
        out.push_str(&format!("{p:<28}"));
        for s in scenarios {
            let cell = match results.get(&(p.to_string(), *s)) {
                Some(Ok(o)) => format!("{}{}", if o.killed { "killed→" } else { "" }, o.states),
                Some(Err(_)) => "BROKEN".into(),
                None => String::new(),
            };
            out.push_str(&format!("{cell:<width$}"));
        }
        out.push('\n');
    }
    out
}
