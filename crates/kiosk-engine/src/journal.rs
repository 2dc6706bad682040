//! The order journal: an SQLite database that outlives crashes.
//!
//! Every checkout and each of its state transitions is committed here **before** the side
//! effect the new state announces (charging a card, creating the order in the POS). The file
//! runs in WAL mode with `synchronous=FULL`, so a transition that returned is on disk even if
//! the power goes a moment later. On start the engine reads [`Journal::unfinished`] and resumes
//! each checkout from the state it was in.
//!
//! Schema changes are numbered migrations tracked by SQLite's `user_version`.

use std::path::Path;
use std::sync::Mutex;

use kiosk_core::cart::{Cart, OrderType};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::payment::PaymentReceipt;
use kiosk_core::pricing::Quote;
use kiosk_core::view::{CheckoutNotice, SlipStatus};
use kiosk_core::Money;
use rusqlite::{params, Connection, OptionalExtension, Row};

const MIGRATIONS: &[&str] = &[
    // 1: checkouts and their transitions
    "CREATE TABLE checkouts (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        state TEXT NOT NULL,
        order_type TEXT NOT NULL,
        cart TEXT NOT NULL,
        quote TEXT NOT NULL,
        total TEXT NOT NULL,
        provider TEXT NOT NULL,
        attempt_id TEXT NOT NULL UNIQUE,
        external_id TEXT NOT NULL UNIQUE,
        receipt TEXT,
        pay_at_counter INTEGER NOT NULL DEFAULT 0,
        pos_order_id TEXT,
        pos_number TEXT,
        pos_status TEXT,
        notice TEXT,
        post_attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX checkouts_state ON checkouts(state);
    CREATE TABLE transitions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        checkout_id TEXT NOT NULL REFERENCES checkouts(id),
        at TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX transitions_checkout ON transitions(checkout_id);",
    // 2: what staff did (who, when, what), and checkouts staff have settled
    "CREATE TABLE staff_actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        checkout_id TEXT,
        pos_order_id TEXT,
        at TEXT NOT NULL,
        staff TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX staff_actions_checkout ON staff_actions(checkout_id);
    CREATE INDEX staff_actions_order ON staff_actions(pos_order_id);
    ALTER TABLE checkouts ADD COLUMN handled_at TEXT;
    ALTER TABLE checkouts ADD COLUMN handled_by TEXT;
    ALTER TABLE checkouts ADD COLUMN handled_reason TEXT;",
    // 3: the guest's slip (its state on the checkout) and every printer event: each print
    // attempt is written before the job is sent and completed with its result; status checks
    // that found a problem are the staff alert's history.
    "ALTER TABLE checkouts ADD COLUMN slip TEXT NOT NULL DEFAULT 'none';
    CREATE TABLE prints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        checkout_id TEXT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        problem TEXT,
        staff TEXT,
        detail TEXT,
        finished_at TEXT
    );
    CREATE INDEX prints_checkout ON prints(checkout_id);",
];

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the order journal cannot be used: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("the order journal holds data it cannot read: {0}")]
    Corrupt(String),
    #[error("checkout {id} is {actual:?}, not {expected:?}")]
    Conflict {
        id: String,
        expected: CheckoutState,
        actual: CheckoutState,
    },
    #[error(transparent)]
    Illegal(#[from] kiosk_core::checkout::IllegalTransition),
    #[error("no checkout {0}")]
    Missing(String),
}

/// One checkout as the journal holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutRecord {
    pub id: String,
    pub number: String,
    pub created_at: String,
    pub state: CheckoutState,
    pub order_type: OrderType,
    pub cart: Cart,
    pub quote: Quote,
    pub total: Money,
    pub provider: String,
    pub attempt_id: String,
    pub external_id: String,
    pub receipt: Option<PaymentReceipt>,
    pub pay_at_counter: bool,
    pub pos_order_id: Option<String>,
    pub pos_number: Option<String>,
    pub pos_status: Option<String>,
    pub notice: Option<CheckoutNotice>,
    pub post_attempts: u32,
    /// The guest's slip.
    pub slip: SlipStatus,
}

impl CheckoutRecord {
    /// Submit first: the POS holds this order open (its kitchen ticket printed) and no payment
    /// has been recorded for it. Such a checkout never ends quietly as "payment failed": staff
    /// must void the order. (`Submitted` sets the POS id; pay first sets it only once paid.)
    pub fn open_in_pos_unpaid(&self) -> bool {
        self.pos_order_id.is_some() && self.receipt.is_none() && !self.pay_at_counter
    }
}

/// What a printer event was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintKind {
    /// The guest's slip after the order was placed.
    Slip,
    /// Printed again from the staff screens.
    Reprint,
    /// A number-only slip staff printed for an order the kiosk did not take.
    Number,
    /// A status check before a payment that found a problem (or found it gone).
    Status,
}

impl PrintKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrintKind::Slip => "slip",
            PrintKind::Reprint => "reprint",
            PrintKind::Number => "number",
            PrintKind::Status => "status",
        }
    }
}

/// A printer event to record.
pub struct NewPrint<'a> {
    pub checkout_id: Option<&'a str>,
    pub kind: PrintKind,
    /// `started` for a job about to be sent (completed later by [`Journal::finish_print`]);
    /// for a status check, what it found: `problem`, `recovered`, `skipped` (the guest went on
    /// without a slip), `refused` (out of service).
    pub outcome: &'a str,
    pub problem: Option<&'a str>,
    pub staff: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// A recorded printer event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintRecord {
    pub id: i64,
    pub checkout_id: Option<String>,
    pub at: String,
    pub kind: String,
    /// `started` (never finished: the kiosk stopped mid-job), `printed`, `failed`, or a status
    /// check's finding.
    pub outcome: String,
    pub problem: Option<String>,
    pub staff: Option<String>,
    pub detail: Option<String>,
    pub finished_at: Option<String>,
}

/// Fields a transition may set alongside the new state.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    pub receipt: Option<PaymentReceipt>,
    pub pay_at_counter: Option<bool>,
    pub pos_order_id: Option<String>,
    pub pos_number: Option<String>,
    pub pos_status: Option<String>,
    pub notice: Option<Option<CheckoutNotice>>,
    pub count_post_attempt: bool,
    /// A new price to charge, with its total (submit first: the POS's own total, taken
    /// before the payment).
    pub quote: Option<Quote>,
}

/// One recorded state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub at: String,
    pub from: Option<String>,
    pub to: String,
    pub detail: Option<String>,
}

/// A staff action to record.
pub struct NewStaffAction<'a> {
    pub checkout_id: Option<&'a str>,
    pub pos_order_id: Option<&'a str>,
    /// Who: the staff member's name or id as the POS knows them.
    pub staff: &'a str,
    /// What: a stable action name (`retry_send`, `refund`, `lock`, `print_bill`, …).
    pub action: &'a str,
    pub detail: Option<&'a str>,
}

/// A recorded staff action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAction {
    pub id: i64,
    pub checkout_id: Option<String>,
    pub pos_order_id: Option<String>,
    pub at: String,
    pub staff: String,
    pub action: String,
    pub detail: Option<String>,
}

pub struct NewCheckout<'a> {
    pub id: &'a str,
    pub order_type: OrderType,
    pub cart: &'a Cart,
    pub quote: &'a Quote,
    pub provider: &'a str,
    pub attempt_id: &'a str,
    pub external_id: &'a str,
}

pub struct Journal {
    conn: Mutex<Connection>,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("journal values are plain data")
}

fn parse<T: serde::de::DeserializeOwned>(col: &str, text: &str) -> Result<T, JournalError> {
    serde_json::from_str(text).map_err(|e| JournalError::Corrupt(format!("{col}: {e}")))
}

impl Journal {
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    pub fn open_in_memory() -> Result<Journal, JournalError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Journal, JournalError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Check before anything is written: a damaged journal is left exactly as it is, for
        // staff or support to recover what it holds.
        let ok: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(JournalError::Corrupt(ok));
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version as usize > MIGRATIONS.len() {
            return Err(JournalError::Corrupt(format!(
                "the journal is schema version {version}, newer than this kiosk ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Journal {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written transaction behind
        // (SQLite rolls it back), so the connection is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a new checkout in `Priced`. The short number is the day's sequence.
    pub fn create(&self, c: &NewCheckout<'_>) -> Result<CheckoutRecord, JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = now();
        let today = &at[..10];
        let seq: i64 = tx.query_row(
            "SELECT COUNT(*) FROM checkouts WHERE substr(created_at, 1, 10) = ?1",
            [today],
            |r| r.get(0),
        )?;
        let number = format!("{:03}", seq + 1);
        tx.execute(
            "INSERT INTO checkouts (id, number, created_at, updated_at, state, order_type, cart, quote, total,
                provider, attempt_id, external_id)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                c.id,
                number,
                at,
                CheckoutState::Priced.as_str(),
                json(&c.order_type),
                json(c.cart),
                json(c.quote),
                c.quote.total.to_string(),
                c.provider,
                c.attempt_id,
                c.external_id
            ],
        )?;
        tx.execute(
            "INSERT INTO transitions (checkout_id, at, from_state, to_state, detail) VALUES (?1, ?2, NULL, ?3, NULL)",
            params![c.id, at, CheckoutState::Priced.as_str()],
        )?;
        tx.commit()?;
        drop(conn);
        self.get(c.id)
    }

    /// Moves a checkout from `from` to `to`, with the fields that come with it, in one
    /// transaction. Fails if the journal says the checkout is no longer in `from`.
    pub fn transition(
        &self,
        id: &str,
        from: CheckoutState,
        to: CheckoutState,
        changes: Changes,
        detail: Option<&str>,
    ) -> Result<CheckoutRecord, JournalError> {
        kiosk_core::checkout::transition(from, to)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let actual: Option<String> = tx
            .query_row("SELECT state FROM checkouts WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let actual = actual.ok_or_else(|| JournalError::Missing(id.to_string()))?;
        let actual = CheckoutState::parse(&actual)
            .ok_or_else(|| JournalError::Corrupt(format!("state {actual}")))?;
        if actual != from {
            return Err(JournalError::Conflict {
                id: id.to_string(),
                expected: from,
                actual,
            });
        }
        let at = now();
        tx.execute(
            "UPDATE checkouts SET state = ?2, updated_at = ?3,
                receipt = COALESCE(?4, receipt),
                pay_at_counter = COALESCE(?5, pay_at_counter),
                pos_order_id = COALESCE(?6, pos_order_id),
                pos_number = COALESCE(?7, pos_number),
                pos_status = COALESCE(?8, pos_status),
                notice = CASE WHEN ?9 THEN ?10 ELSE notice END,
                post_attempts = post_attempts + ?11,
                quote = COALESCE(?12, quote),
                total = COALESCE(?13, total)
             WHERE id = ?1",
            params![
                id,
                to.as_str(),
                at,
                changes.receipt.as_ref().map(json),
                changes.pay_at_counter,
                changes.pos_order_id,
                changes.pos_number,
                changes.pos_status,
                changes.notice.is_some(),
                changes.notice.flatten().as_ref().map(json),
                changes.count_post_attempt as i64,
                changes.quote.as_ref().map(json),
                changes.quote.as_ref().map(|q| q.total.to_string()),
            ],
        )?;
        tx.execute(
            "INSERT INTO transitions (checkout_id, at, from_state, to_state, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, at, from.as_str(), to.as_str(), detail],
        )?;
        tx.commit()?;
        drop(conn);
        self.get(id)
    }

    /// Updates the POS status seen while tracking; no state change.
    pub fn set_pos_status(&self, id: &str, status: &str) -> Result<(), JournalError> {
        self.conn().execute(
            "UPDATE checkouts SET pos_status = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, status, now()],
        )?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<CheckoutRecord, JournalError> {
        let conn = self.conn();
        let row = conn
            .query_row("SELECT * FROM checkouts WHERE id = ?1", [id], raw)
            .optional()?;
        row.ok_or_else(|| JournalError::Missing(id.to_string()))?
            .decode()
    }

    /// Every checkout the engine must still drive: not final, oldest first.
    pub fn unfinished(&self) -> Result<Vec<CheckoutRecord>, JournalError> {
        self.query(
            "SELECT * FROM checkouts WHERE state NOT IN ('completed', 'payment_failed', 'refunded', 'needs_staff')
             ORDER BY created_at",
        )
    }

    /// Caps the database at `extra` pages beyond its current size, so tests can make writes
    /// fail the way a full disk does (SQLITE_FULL).
    pub fn limit_pages_for_tests(&self, extra: u32) -> Result<(), JournalError> {
        let conn = self.conn();
        let pages: u32 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        conn.query_row(
            &format!("PRAGMA max_page_count = {}", pages + extra),
            [],
            |_| Ok(()),
        )?;
        Ok(())
    }

    /// Records what a member of staff did, for the order's history. Written before the action's
    /// side effect, like every other journal entry.
    pub fn record_staff_action(&self, a: &NewStaffAction<'_>) -> Result<i64, JournalError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO staff_actions (checkout_id, pos_order_id, at, staff, action, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                a.checkout_id,
                a.pos_order_id,
                now(),
                a.staff,
                a.action,
                a.detail
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Staff actions on a checkout or a POS order, oldest first.
    pub fn staff_actions(
        &self,
        checkout_id: Option<&str>,
        pos_order_id: Option<&str>,
    ) -> Result<Vec<StaffAction>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, checkout_id, pos_order_id, at, staff, action, detail FROM staff_actions
             WHERE (?1 IS NOT NULL AND checkout_id = ?1) OR (?2 IS NOT NULL AND pos_order_id = ?2)
             ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![checkout_id, pos_order_id], |r| {
                Ok(StaffAction {
                    id: r.get(0)?,
                    checkout_id: r.get(1)?,
                    pos_order_id: r.get(2)?,
                    at: r.get(3)?,
                    staff: r.get(4)?,
                    action: r.get(5)?,
                    detail: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Marks a checkout that needed staff as settled, with who did it and why. The state stays
    /// `NeedsStaff` (the machine's view); the mark takes it off the problem list.
    pub fn mark_handled(&self, id: &str, staff: &str, reason: &str) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE checkouts SET handled_at = ?2, handled_by = ?3, handled_reason = ?4, updated_at = ?2
             WHERE id = ?1 AND handled_at IS NULL",
            params![id, now(), staff, reason],
        )?;
        if n == 0 {
            return Err(JournalError::Missing(format!(
                "{id} (or it was already handled)"
            )));
        }
        tx.execute(
            "INSERT INTO staff_actions (checkout_id, pos_order_id, at, staff, action, detail)
             SELECT id, pos_order_id, ?2, ?3, 'mark_handled', ?4 FROM checkouts WHERE id = ?1",
            params![id, now(), staff, reason],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A payment confirmed late for a checkout that is already with staff (its outcome was
    /// unknown): records the receipt and the new notice, and puts it back on the problem list
    /// even if staff had settled it meanwhile. The state stays `NeedsStaff`; the history shows
    /// the change. `None` when the checkout is not `NeedsStaff` or already has a receipt.
    pub fn note_late_payment(
        &self,
        id: &str,
        receipt: &PaymentReceipt,
        notice: &CheckoutNotice,
        detail: &str,
    ) -> Result<Option<CheckoutRecord>, JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = now();
        let n = tx.execute(
            "UPDATE checkouts SET receipt = ?2, notice = ?3, updated_at = ?4,
                handled_at = NULL, handled_by = NULL, handled_reason = NULL
             WHERE id = ?1 AND state = 'needs_staff' AND receipt IS NULL",
            params![id, json(receipt), json(notice), at],
        )?;
        if n == 0 {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO transitions (checkout_id, at, from_state, to_state, detail) VALUES (?1, ?2, 'needs_staff', 'needs_staff', ?3)",
            params![id, at, detail],
        )?;
        tx.commit()?;
        drop(conn);
        self.get(id).map(Some)
    }

    /// Sets the checkout's slip state (no checkout state change).
    pub fn set_slip(&self, id: &str, slip: SlipStatus) -> Result<(), JournalError> {
        let n = self.conn().execute(
            "UPDATE checkouts SET slip = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, slip.as_str(), now()],
        )?;
        if n == 0 {
            return Err(JournalError::Missing(id.to_string()));
        }
        Ok(())
    }

    /// Records a printer event; for a job, before it is sent. With a checkout and a `slip`,
    /// the checkout's slip state changes in the same transaction.
    pub fn record_print(
        &self,
        p: &NewPrint<'_>,
        slip: Option<SlipStatus>,
    ) -> Result<i64, JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = now();
        tx.execute(
            "INSERT INTO prints (checkout_id, at, kind, outcome, problem, staff, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                p.checkout_id,
                at,
                p.kind.as_str(),
                p.outcome,
                p.problem,
                p.staff,
                p.detail
            ],
        )?;
        let id = tx.last_insert_rowid();
        if let (Some(c), Some(slip)) = (p.checkout_id, slip) {
            tx.execute(
                "UPDATE checkouts SET slip = ?2, updated_at = ?3 WHERE id = ?1",
                params![c, slip.as_str(), at],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Completes a print job's record with its result (`printed` or `failed`), and the
    /// checkout's slip state with it.
    pub fn finish_print(
        &self,
        print_id: i64,
        outcome: &str,
        problem: Option<&str>,
        detail: Option<&str>,
        slip: Option<SlipStatus>,
    ) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = now();
        let checkout: Option<Option<String>> = tx
            .query_row(
                "SELECT checkout_id FROM prints WHERE id = ?1",
                [print_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(checkout) = checkout else {
            return Err(JournalError::Missing(format!("print {print_id}")));
        };
        tx.execute(
            "UPDATE prints SET outcome = ?2, problem = COALESCE(?3, problem),
                detail = COALESCE(?4, detail), finished_at = ?5 WHERE id = ?1",
            params![print_id, outcome, problem, detail, at],
        )?;
        if let (Some(c), Some(slip)) = (checkout, slip) {
            tx.execute(
                "UPDATE checkouts SET slip = ?2, updated_at = ?3 WHERE id = ?1",
                params![c, slip.as_str(), at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The printer events of one checkout, oldest first.
    pub fn prints(&self, checkout_id: &str) -> Result<Vec<PrintRecord>, JournalError> {
        self.query_prints(
            "SELECT id, checkout_id, at, kind, outcome, problem, staff, detail, finished_at
             FROM prints WHERE checkout_id = ?1 ORDER BY id",
            Some(checkout_id),
        )
    }

    /// The latest printer events, newest first.
    pub fn recent_prints(&self, limit: u32) -> Result<Vec<PrintRecord>, JournalError> {
        self.query_prints(
            &format!(
                "SELECT id, checkout_id, at, kind, outcome, problem, staff, detail, finished_at
                 FROM prints ORDER BY id DESC LIMIT {limit}"
            ),
            None,
        )
    }

    /// Placed orders whose slip is still waiting or being printed: after a restart, no job of
    /// theirs is running any more.
    pub fn slips_unfinished(&self) -> Result<Vec<CheckoutRecord>, JournalError> {
        self.query(
            "SELECT * FROM checkouts WHERE slip = 'printing'
                OR (slip = 'pending' AND state IN ('posted', 'tracking', 'completed'))
             ORDER BY created_at",
        )
    }

    fn query_prints(
        &self,
        sql: &str,
        checkout_id: Option<&str>,
    ) -> Result<Vec<PrintRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql)?;
        let map = |r: &Row<'_>| {
            Ok(PrintRecord {
                id: r.get(0)?,
                checkout_id: r.get(1)?,
                at: r.get(2)?,
                kind: r.get(3)?,
                outcome: r.get(4)?,
                problem: r.get(5)?,
                staff: r.get(6)?,
                detail: r.get(7)?,
                finished_at: r.get(8)?,
            })
        };
        let rows = match checkout_id {
            Some(c) => stmt.query_map([c], map)?.collect::<Result<_, _>>()?,
            None => stmt.query_map([], map)?.collect::<Result<_, _>>()?,
        };
        Ok(rows)
    }

    /// Checkouts waiting for staff and not yet handled, oldest first.
    pub fn needing_staff(&self) -> Result<Vec<CheckoutRecord>, JournalError> {
        self.query(
            "SELECT * FROM checkouts WHERE state = 'needs_staff' AND handled_at IS NULL ORDER BY created_at",
        )
    }

    /// The checkout whose order carries this external id, if any.
    pub fn by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<CheckoutRecord>, JournalError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT * FROM checkouts WHERE external_id = ?1",
                [external_id],
                raw,
            )
            .optional()?;
        drop(conn);
        row.map(RawRow::decode).transpose()
    }

    pub fn recent(&self, limit: u32) -> Result<Vec<CheckoutRecord>, JournalError> {
        self.query(&format!(
            "SELECT * FROM checkouts ORDER BY created_at DESC LIMIT {limit}"
        ))
    }

    pub fn in_state(&self, state: CheckoutState) -> Result<Vec<CheckoutRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT * FROM checkouts WHERE state = ?1 ORDER BY created_at")?;
        let rows: Vec<RawRow> = stmt
            .query_map([state.as_str()], raw)?
            .collect::<Result<_, _>>()?;
        rows.into_iter().map(RawRow::decode).collect()
    }

    /// The transitions of one checkout, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<Transition>, JournalError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT at, from_state, to_state, detail FROM transitions WHERE checkout_id = ?1 ORDER BY id")?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(Transition {
                    at: r.get(0)?,
                    from: r.get(1)?,
                    to: r.get(2)?,
                    detail: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn query(&self, sql: &str) -> Result<Vec<CheckoutRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql)?;
        let rows: Vec<RawRow> = stmt.query_map([], raw)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(RawRow::decode).collect()
    }
}

struct RawRow {
    id: String,
    number: String,
    created_at: String,
    state: String,
    order_type: String,
    cart: String,
    quote: String,
    total: String,
    provider: String,
    attempt_id: String,
    external_id: String,
    receipt: Option<String>,
    pay_at_counter: bool,
    pos_order_id: Option<String>,
    pos_number: Option<String>,
    pos_status: Option<String>,
    notice: Option<String>,
    post_attempts: u32,
    slip: String,
}

fn raw(r: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: r.get("id")?,
        number: r.get("number")?,
        created_at: r.get("created_at")?,
        state: r.get("state")?,
        order_type: r.get("order_type")?,
        cart: r.get("cart")?,
        quote: r.get("quote")?,
        total: r.get("total")?,
        provider: r.get("provider")?,
        attempt_id: r.get("attempt_id")?,
        external_id: r.get("external_id")?,
        receipt: r.get("receipt")?,
        pay_at_counter: r.get("pay_at_counter")?,
        pos_order_id: r.get("pos_order_id")?,
        pos_number: r.get("pos_number")?,
        pos_status: r.get("pos_status")?,
        notice: r.get("notice")?,
        post_attempts: r.get("post_attempts")?,
        slip: r.get("slip")?,
    })
}

impl RawRow {
    fn decode(self) -> Result<CheckoutRecord, JournalError> {
        Ok(CheckoutRecord {
            state: CheckoutState::parse(&self.state)
                .ok_or_else(|| JournalError::Corrupt(format!("unknown state {}", self.state)))?,
            order_type: parse("order_type", &self.order_type)?,
            cart: parse("cart", &self.cart)?,
            quote: parse("quote", &self.quote)?,
            total: Money::parse(&self.total).map_err(|e| JournalError::Corrupt(e.to_string()))?,
            receipt: self
                .receipt
                .as_deref()
                .map(|r| parse("receipt", r))
                .transpose()?,
            notice: self
                .notice
                .as_deref()
                .map(|n| parse("notice", n))
                .transpose()?,
            id: self.id,
            number: self.number,
            created_at: self.created_at,
            provider: self.provider,
            attempt_id: self.attempt_id,
            external_id: self.external_id,
            pay_at_counter: self.pay_at_counter,
            pos_order_id: self.pos_order_id,
            pos_number: self.pos_number,
            pos_status: self.pos_status,
            post_attempts: self.post_attempts,
            slip: SlipStatus::parse(&self.slip).ok_or_else(|| {
                JournalError::Corrupt(format!("unknown slip state {}", self.slip))
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::pricing::QuoteSource;

    fn quote() -> Quote {
        Quote {
            source: QuoteSource::Pos,
            lines: vec![],
            adjustments: vec![],
            subtotal: Money::parse("100.50").unwrap(),
            total: Money::parse("100.50").unwrap(),
        }
    }

    fn new(j: &Journal, id: &str) -> CheckoutRecord {
        let cart = Cart::default();
        let q = quote();
        j.create(&NewCheckout {
            id,
            order_type: OrderType::Takeaway,
            cart: &cart,
            quote: &q,
            provider: "simulator",
            attempt_id: &format!("{id}-p"),
            external_id: &format!("k1-{id}"),
        })
        .unwrap()
    }

    #[test]
    fn transitions_are_checked_and_recorded() {
        let j = Journal::open_in_memory().unwrap();
        let c = new(&j, "a");
        assert_eq!(c.state, CheckoutState::Priced);
        assert_eq!(c.number, "001");
        assert_eq!(c.total.to_string(), "100.50");
        j.transition(
            "a",
            CheckoutState::Priced,
            CheckoutState::PaymentStarted,
            Changes::default(),
            None,
        )
        .unwrap();
        // A stale view of the state is refused rather than applied twice.
        let err = j
            .transition(
                "a",
                CheckoutState::Priced,
                CheckoutState::PaymentStarted,
                Changes::default(),
                None,
            )
            .unwrap_err();
        assert!(matches!(err, JournalError::Conflict { .. }));
        // An illegal jump is refused.
        assert!(j
            .transition(
                "a",
                CheckoutState::PaymentStarted,
                CheckoutState::Posted,
                Changes::default(),
                None
            )
            .is_err());
        assert_eq!(j.history("a").unwrap().len(), 2);
        assert_eq!(new(&j, "b").number, "002");
        assert_eq!(j.unfinished().unwrap().len(), 2);
    }

    #[test]
    fn survives_reopening_and_keeps_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        {
            let j = Journal::open(&path).unwrap();
            new(&j, "a");
            j.transition(
                "a",
                CheckoutState::Priced,
                CheckoutState::PaymentFailed,
                Changes {
                    notice: Some(Some(CheckoutNotice::AskStaff { reason: "x".into() })),
                    ..Default::default()
                },
                Some("declined"),
            )
            .unwrap();
        }
        let j = Journal::open(&path).unwrap();
        let c = j.get("a").unwrap();
        assert_eq!(c.state, CheckoutState::PaymentFailed);
        assert!(matches!(c.notice, Some(CheckoutNotice::AskStaff { .. })));
        assert!(j.unfinished().unwrap().is_empty());
    }

    #[test]
    fn staff_actions_and_handled_marks_are_kept() {
        let j = Journal::open_in_memory().unwrap();
        new(&j, "a");
        j.transition(
            "a",
            CheckoutState::Priced,
            CheckoutState::NeedsStaff,
            Changes::default(),
            Some("x"),
        )
        .unwrap();
        assert_eq!(j.needing_staff().unwrap().len(), 1);
        j.record_staff_action(&NewStaffAction {
            checkout_id: Some("a"),
            pos_order_id: None,
            staff: "Трофимова В.А.",
            action: "retry_send",
            detail: None,
        })
        .unwrap();
        j.mark_handled("a", "Трофимова В.А.", "refunded in cash")
            .unwrap();
        assert!(j.needing_staff().unwrap().is_empty());
        assert!(
            j.mark_handled("a", "x", "twice").is_err(),
            "handled once only"
        );
        let acts = j.staff_actions(Some("a"), None).unwrap();
        assert_eq!(
            acts.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
            ["retry_send", "mark_handled"]
        );
        assert_eq!(acts[1].detail.as_deref(), Some("refunded in cash"));
    }

    #[test]
    fn a_version_1_journal_is_migrated_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let j = Journal::open(&path).unwrap();
        new(&j, "a");
        assert!(j.needing_staff().unwrap().is_empty());
        let v: i64 = j
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        std::fs::write(&path, b"this is not an sqlite database at all, just text").unwrap();
        assert!(Journal::open(&path).is_err());
    }
}
