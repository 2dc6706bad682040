//! Wall-clock strings in r_keeper style: local time without an offset (reference §4.4).
//!
//! `time` refuses to read the local offset in a multi-threaded process on some platforms; the
//! simulator then falls back to UTC, which only shifts the timestamps it shows.

use time::macros::format_description;
use time::OffsetDateTime;

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_local().unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// `2026-11-22T12:00:00`.
pub fn format(t: OffsetDateTime) -> String {
    let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    t.format(&f)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub fn now_local_string() -> String {
    format(now())
}
