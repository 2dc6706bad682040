//! The simulators' clock: real time plus an offset that tests move forward.
//!
//! QR lifetimes (T-Bank's `RedirectDueDate`, YooKassa's one-hour SBP window) and idempotence
//! key expiry (24 h) are checked against this clock, so a test can let a QR expire by
//! advancing it instead of waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::OffsetDateTime;

#[derive(Debug, Clone, Default)]
pub struct SimClock {
    offset_s: Arc<AtomicI64>,
}

impl SimClock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.offset_s.load(Ordering::SeqCst))
    }

    pub fn advance(&self, seconds: i64) {
        self.offset_s.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn offset_s(&self) -> i64 {
        self.offset_s.load(Ordering::SeqCst)
    }
}

/// `2026-01-15T09:30:00.000Z`, YooKassa's form.
pub fn iso_utc(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&f)
        .unwrap_or_default()
}

/// Reads `2026-01-15T12:30:00+03:00` (T-Bank's `RedirectDueDate`) or an RFC 3339 time.
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    );
    OffsetDateTime::parse(text, &f).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tbank_due_dates() {
        let t = parse_time("2026-01-15T12:30:00+03:00").unwrap();
        assert_eq!(iso_utc(t), "2026-01-15T09:30:00.000Z");
        assert!(parse_time("tomorrow").is_none());
    }

    #[test]
    fn advances() {
        let c = SimClock::default();
        let before = c.now();
        c.advance(3600);
        assert!(c.now() - before >= time::Duration::seconds(3600));
    }
}
