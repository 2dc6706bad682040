//! The order board's data: the orders of the day from the POS, merged with this device's journal.
//!
//! A board is usually its own device (a screen by the pick-up counter), so it cannot read the
//! kiosks' journals: the POS, which every kiosk sends its orders to, is the one list they
//! share. Each refresh asks the POS for its recent orders (`Pos::orders` with no ids: ProCart
//! `getorders`, this token's orders of the last day; Jupiter `get_closed_orders`, the service
//! user's open orders). Jupiter lists only open orders, so an order the board saw open and
//! that has dropped out of the list is asked about by id, which tells whether it was closed.
//!
//! The journal of this device is merged in: it covers a board running on a kiosk itself (or
//! sharing its data folder), orders still being sent, a POS that is unreachable for a moment,
//! and the orders a POS cannot list (Jupiter's pay-first orders, closed by the kiosk at once).
//!
//! The POS does not say *when* an order turned ready, so the board remembers when it first saw
//! each one ready; orders already ready when the board starts are not shown as new (a restart
//! must not flood the "ready" column with numbers collected long ago). The columns and their
//! rules are [`kiosk_core::board`]; this file only gathers.
//!
//! Refreshes coalesce: the POS is asked at most once per [`MIN_POS_INTERVAL`], however many
//! screens or events ask.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk_core::board::{self, BoardEntry, BoardRules, BoardView, Column};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::order::{OrderStatus, PosOrder};
use kiosk_core::ports::Pos;

use crate::journal::{CheckoutRecord, Journal};

/// The POS is asked at most this often; more frequent requests get the last answer.
pub const MIN_POS_INTERVAL: Duration = Duration::from_secs(2);
/// A POS that takes longer than this is "unreachable" for this refresh.
pub const POS_TIMEOUT: Duration = Duration::from_secs(8);

pub struct Board {
    pos: Arc<dyn Pos>,
    rules: BoardRules,
    /// The kiosk closes the orders it was paid for when it records the payment (Jupiter's
    /// pay-first flow), so "closed" says nothing about the kitchen for them.
    kiosk_closes_paid_orders: bool,
    pos_interval: Duration,
    memory: tokio::sync::Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    /// A first refresh has happened: later "ready" orders are news.
    primed: bool,
    last_ask: Option<Instant>,
    last_orders: Vec<PosOrder>,
    reachable: bool,
    /// POS orders last seen in "preparing", by key, to ask about the ones that vanish.
    open: HashMap<String, PosOrder>,
    first_seen: HashMap<String, i64>,
    ready_since: HashMap<String, i64>,
}

/// Order ids compare without braces and case (r_keeper GUIDs come both ways).
fn key_of(pos_order_id: &str) -> String {
    pos_order_id
        .trim()
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase()
}

fn unix(rfc3339: &str) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Board {
    pub fn new(pos: Arc<dyn Pos>, rules: BoardRules) -> Board {
        // Jupiter's pay-first flow closes the order in the same checkout that sends it.
        let kiosk_closes_paid_orders = pos.kind() == "jupiter";
        Board {
            pos,
            rules,
            kiosk_closes_paid_orders,
            pos_interval: MIN_POS_INTERVAL,
            memory: tokio::sync::Mutex::new(Memory::default()),
        }
    }

    /// Asks the POS at most this often (tests use zero).
    pub fn with_pos_interval(mut self, every: Duration) -> Board {
        self.pos_interval = every;
        self
    }

    pub fn rules(&self) -> &BoardRules {
        &self.rules
    }

    /// The board now: the POS's orders (asked at most every [`MIN_POS_INTERVAL`]) and the
    /// journal's, when there is one.
    pub async fn view(&self, journal: Option<&Journal>) -> BoardView {
        let now = now_unix();
        let mut mem = self.memory.lock().await;
        let due = mem
            .last_ask
            .is_none_or(|t| t.elapsed() >= self.pos_interval);
        if due {
            mem.last_ask = Some(Instant::now());
            match self.ask_pos(&mem).await {
                Ok(orders) => {
                    mem.last_orders = orders;
                    mem.reachable = true;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "order board: the POS did not answer; showing what is known");
                    mem.reachable = false;
                }
            }
        }
        let records = match journal {
            Some(j) => j.recent(200).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "order board: the journal cannot be read");
                vec![]
            }),
            None => vec![],
        };
        self.entries_and_view(&mut mem, records, journal, now)
    }

    /// Recent orders, plus the ones seen preparing that dropped out of the list (asked by id).
    async fn ask_pos(&self, mem: &Memory) -> Result<Vec<PosOrder>, String> {
        let ask = async {
            let mut orders = self.pos.orders(&[]).await.map_err(|e| e.to_string())?;
            let listed: HashSet<String> = orders.iter().map(|o| key_of(&o.pos_order_id)).collect();
            let vanished: Vec<String> = mem
                .open
                .iter()
                .filter(|(k, _)| !listed.contains(*k))
                .map(|(_, o)| o.pos_order_id.clone())
                .collect();
            if !vanished.is_empty() {
                let found = self
                    .pos
                    .orders(&vanished)
                    .await
                    .map_err(|e| e.to_string())?;
                // Asked by id, Jupiter says "closed" without the order's name: keep the number
                // the board showed while it was open.
                orders.extend(found.into_iter().map(|mut o| {
                    if o.number.as_deref().is_none_or(|n| n.trim().is_empty()) {
                        o.number = mem
                            .open
                            .get(&key_of(&o.pos_order_id))
                            .and_then(|seen| seen.number.clone());
                    }
                    o
                }));
            }
            Ok(orders)
        };
        tokio::time::timeout(POS_TIMEOUT, ask)
            .await
            .map_err(|_| format!("no answer in {} s", POS_TIMEOUT.as_secs()))?
    }

    fn entries_and_view(
        &self,
        mem: &mut Memory,
        records: Vec<CheckoutRecord>,
        journal: Option<&Journal>,
        now: i64,
    ) -> BoardView {
        let horizon = now - self.rules.preparing_for_s.max(self.rules.ready_for_s);
        let records: Vec<CheckoutRecord> = records
            .into_iter()
            .filter(|r| board::journal_shows(r.state))
            .filter(|r| unix(&r.created_at).is_none_or(|t| t >= horizon))
            .collect();
        // Orders this kiosk closed itself with their payment: "closed" is not "ready" for them,
        // whichever source lists them.
        let closed_by_kiosk: HashSet<String> = records
            .iter()
            .filter(|r| self.kiosk_closes_paid_orders && !r.pay_at_counter)
            .filter_map(|r| r.pos_order_id.as_deref().map(key_of))
            .collect();

        let primed = mem.primed;
        let mut entries = Vec::new();
        let mut from_pos = HashSet::new();
        let pos_orders = std::mem::take(&mut mem.last_orders);
        for o in &pos_orders {
            let key = key_of(&o.pos_order_id);
            if !from_pos.insert(key.clone()) {
                continue;
            }
            let since = *mem.first_seen.entry(key.clone()).or_insert(now);
            let closed_is_ready = !closed_by_kiosk.contains(&key);
            let column = board::column(Some(&o.status), closed_is_ready);
            let ready_since = match column {
                Some(Column::Ready) => {
                    Some(*mem.ready_since.entry(key.clone()).or_insert(if primed {
                        now
                    } else {
                        // Already ready when the board started: not news, and maybe collected.
                        now - self.rules.ready_for_s - 1
                    }))
                }
                _ => None,
            };
            if column == Some(Column::Preparing) {
                mem.open.insert(key.clone(), o.clone());
            } else {
                mem.open.remove(&key);
            }
            entries.push(BoardEntry {
                key,
                number: number_of(o),
                status: Some(o.status.clone()),
                closed_is_ready,
                since,
                ready_since,
            });
        }
        // Orders seen preparing that the POS no longer knows at all: forget them.
        mem.open.retain(|k, _| from_pos.contains(k));
        mem.last_orders = pos_orders;

        for r in &records {
            let key = match &r.pos_order_id {
                Some(id) => key_of(id),
                None => format!("checkout:{}", r.id),
            };
            if from_pos.contains(&key) {
                continue;
            }
            let status = r.pos_status.as_deref().map(OrderStatus::parse);
            let closed_is_ready = !closed_by_kiosk.contains(&key);
            let column = board::column(status.as_ref(), closed_is_ready);
            let ready_since = match column {
                Some(Column::Ready) => {
                    let known = mem.ready_since.get(&key).copied();
                    let at = known.or_else(|| {
                        // The journal knows when the POS reported it: the last transition.
                        let at = journal
                            .and_then(|j| j.history(&r.id).ok())
                            .and_then(|h| {
                                h.iter()
                                    .rev()
                                    .find(|t| t.to == CheckoutState::Completed.as_str())
                                    .and_then(|t| unix(&t.at))
                            })
                            .unwrap_or(if primed {
                                now
                            } else {
                                now - self.rules.ready_for_s - 1
                            });
                        Some(at)
                    });
                    if let Some(at) = at {
                        mem.ready_since.insert(key.clone(), at);
                    }
                    at
                }
                _ => None,
            };
            entries.push(BoardEntry {
                number: r.pos_number.clone().unwrap_or_else(|| r.number.clone()),
                key,
                status,
                closed_is_ready,
                since: unix(&r.created_at).unwrap_or(now),
                ready_since,
            });
        }

        // Keep the memory to the orders still listed.
        let keys: HashSet<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        mem.first_seen.retain(|k, _| keys.contains(k.as_str()));
        mem.ready_since.retain(|k, _| keys.contains(k.as_str()));
        mem.primed = true;
        board::build(&entries, now, &self.rules, mem.reachable)
    }
}

/// The number the guest was given: the POS's, else the end of the POS's id.
fn number_of(o: &PosOrder) -> String {
    match o.number.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => {
            let id = o.pos_order_id.trim_matches(|c| c == '{' || c == '}');
            let tail: String = id.chars().rev().take(4).collect();
            tail.chars().rev().collect()
        }
    }
}
