//! The guest's slip: the printer check before a payment, the slip after the order is placed,
//! reprints from the staff screens, and the printer alert staff see.
//!
//! Three rules shape it:
//! - **Ask before charging.** [`Printing::before_payment`] queries the printer's real-time
//!   status and applies the installer's policy (`[printer] when_cannot_print`): a printer that
//!   cannot print stops the checkout with `printer_unavailable` before any money moves, with
//!   the choices the settings allow (go on without a slip, or none: out of service).
//! - **The order never waits for paper.** The slip is printed by [`Printing::print_slip`] in a
//!   task of its own once the order is `Posted`; whatever the printer does, the order stands.
//! - **Journal first.** Each print is recorded (`prints`, with the checkout's `slip` state)
//!   before its bytes are sent and completed with the result after, so a failed or interrupted
//!   slip is visible in the order's history and can be printed again by staff.
//!
//! The printer alert (paper out, cover open, not answering…) is raised by whatever notices the
//! problem first: the check before a payment, a failed print, or the periodic check
//! ([`Printing::watch`]); it is cleared when the printer is seen ready again. Changes are
//! journaled and announced to the staff desk ([`Printing::subscribe`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::{IpcError, PrinterChoice, PrinterNotice, PrinterProblem};
use kiosk_core::ports::Pos;
use kiosk_core::view::{CheckLine, PrinterAlert, SlipStatus, StaffHistoryEntry, StaffHistoryKind};
use printer::{
    gate, problem_of, NumberSlip, PaymentGate, Printer, PrinterError, PrinterSettings, Slip,
    SlipContext,
};
use time::OffsetDateTime;
use tokio::sync::broadcast;

use crate::checkout::Checkouts;
use crate::journal::{CheckoutRecord, Journal, JournalError, NewPrint, PrintKind, PrintRecord};
use crate::staff::{NumberPrinter, NumberTicket, PrintResult};

/// How often the printer is asked for its status between orders, so staff hear of an empty
/// roll before a guest does.
pub const WATCH_EVERY: Duration = Duration::from_secs(30);

/// What the slip of a new checkout will be, decided before the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlipPlan {
    /// `None` (no printer), `Pending` (printed once the order is placed) or `Skipped`.
    pub status: SlipStatus,
    /// The problem the guest agreed to go on with (`Skipped`).
    pub problem: Option<PrinterProblem>,
}

impl SlipPlan {
    pub const NONE: SlipPlan = SlipPlan {
        status: SlipStatus::None,
        problem: None,
    };
}

/// The state shared by the checks and the prints.
struct Health {
    alert: Option<PrinterAlert>,
}

pub struct Printing {
    /// `None`: this kiosk has no printer (no `[printer]`, or `connection = "none"`).
    printer: Option<Printer>,
    journal: Arc<Journal>,
    pos: Arc<dyn Pos>,
    /// The header of last resort: the kiosk's restaurant name.
    restaurant_name: Option<String>,
    health: Mutex<Health>,
    alerts: broadcast::Sender<Option<PrinterAlert>>,
}

fn journal_err(e: JournalError) -> IpcError {
    tracing::error!(error = %e, "journal failure");
    IpcError::new(
        kiosk_core::error::ErrorCode::JournalUnavailable,
        e.to_string(),
    )
}

fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The time on the slip, in the kiosk's time zone. `time` refuses the local offset once the
/// process has several threads (an environment race it cannot rule out); the C library's own
/// conversion is what every other program on the machine uses, so it is asked instead.
pub fn local_now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    if let Ok(off) = time::UtcOffset::current_local_offset() {
        return now.to_offset(off);
    }
    #[cfg(unix)]
    {
        let t = now.unix_timestamp() as libc::time_t;
        // SAFETY: `localtime_r` writes only into the `tm` we own.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
        if ok {
            if let Ok(off) = time::UtcOffset::from_whole_seconds(tm.tm_gmtoff as i32) {
                return now.to_offset(off);
            }
        }
    }
    now
}

impl Printing {
    pub fn new(
        settings: Option<PrinterSettings>,
        journal: Arc<Journal>,
        pos: Arc<dyn Pos>,
        restaurant_name: Option<String>,
    ) -> Printing {
        let (alerts, _) = broadcast::channel(16);
        Printing {
            printer: settings.map(Printer::new),
            journal,
            pos,
            restaurant_name,
            health: Mutex::new(Health { alert: None }),
            alerts,
        }
    }

    /// Whether the kiosk has a printer at all.
    pub fn configured(&self) -> bool {
        self.printer.is_some()
    }

    pub fn settings(&self) -> Option<&PrinterSettings> {
        self.printer.as_ref().map(Printer::settings)
    }

    /// The printer's problem while it has one.
    pub fn alert(&self) -> Option<PrinterAlert> {
        self.health
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .alert
            .clone()
    }

    /// Every change of the alert (raised, changed, cleared).
    pub fn subscribe(&self) -> broadcast::Receiver<Option<PrinterAlert>> {
        self.alerts.subscribe()
    }

    /// Notes a problem: journaled and announced when it is new or different.
    fn raise(&self, problem: PrinterProblem, detail: Option<String>) {
        let changed = {
            let mut h = self.health.lock().unwrap_or_else(|p| p.into_inner());
            if h.alert.as_ref().map(|a| a.problem) == Some(problem) {
                None
            } else {
                let alert = PrinterAlert {
                    problem,
                    since: now_rfc3339(),
                    detail: detail.clone(),
                };
                h.alert = Some(alert.clone());
                Some(alert)
            }
        };
        if let Some(alert) = changed {
            tracing::warn!(
                problem = problem.as_str(),
                detail = detail.as_deref().unwrap_or(""),
                "printer alert"
            );
            if let Err(e) = self.journal.record_print(
                &NewPrint {
                    checkout_id: None,
                    kind: PrintKind::Status,
                    outcome: "problem",
                    problem: Some(problem.as_str()),
                    staff: None,
                    detail: detail.as_deref(),
                },
                None,
            ) {
                tracing::error!(error = %e, "cannot journal the printer alert");
            }
            let _ = self.alerts.send(Some(alert));
        }
    }

    /// Notes that the printer is ready. `keep_near_end`: a successful print says nothing about
    /// the roll, so a "paper near its end" alert stays until a status check clears it.
    fn clear(&self, keep_near_end: bool) {
        let was = {
            let mut h = self.health.lock().unwrap_or_else(|p| p.into_inner());
            match &h.alert {
                Some(a) if keep_near_end && a.problem == PrinterProblem::PaperNearEnd => None,
                Some(_) => h.alert.take(),
                None => None,
            }
        };
        if let Some(was) = was {
            tracing::info!(was = was.problem.as_str(), "printer ready again");
            if let Err(e) = self.journal.record_print(
                &NewPrint {
                    checkout_id: None,
                    kind: PrintKind::Status,
                    outcome: "recovered",
                    problem: Some(was.problem.as_str()),
                    staff: None,
                    detail: None,
                },
                None,
            ) {
                tracing::error!(error = %e, "cannot journal the printer's recovery");
            }
            let _ = self.alerts.send(None);
        }
    }

    /// Asks the printer and applies the policy; raises or clears the alert.
    pub async fn check(&self) -> Option<PaymentGate> {
        let printer = self.printer.as_ref()?;
        let status = printer.status().await;
        let g = gate(printer.settings().policy, &status);
        let detail = match &status {
            Err(e) => Some(e.to_string()),
            Ok(_) => None,
        };
        match g.staff_alert() {
            Some(problem) => self.raise(problem, detail),
            None => self.clear(false),
        }
        Some(g)
    }

    /// Before a payment: what the slip of this checkout will be, or `printer_unavailable` when
    /// the printer cannot print and the guest has not agreed to go on without a slip (or the
    /// settings do not allow it). Nothing is charged either way.
    pub async fn before_payment(&self, without_slip: bool) -> Result<SlipPlan, IpcError> {
        let Some(g) = self.check().await else {
            return Ok(SlipPlan::NONE);
        };
        match g {
            PaymentGate::Print | PaymentGate::PrintAndAlert { .. } => Ok(SlipPlan {
                status: SlipStatus::Pending,
                problem: None,
            }),
            PaymentGate::WithoutSlip { problem } if without_slip => Ok(SlipPlan {
                status: SlipStatus::Skipped,
                problem: Some(problem),
            }),
            PaymentGate::WithoutSlip { problem } => Err(IpcError::printer(
                PrinterNotice {
                    problem,
                    choices: vec![PrinterChoice::ContinueWithoutSlip, PrinterChoice::Cancel],
                },
                format!(
                    "the receipt printer cannot print ({}); the guest may go on without a slip",
                    problem.as_str()
                ),
            )),
            PaymentGate::OutOfService { problem } => {
                if let Err(e) = self.journal.record_print(
                    &NewPrint {
                        checkout_id: None,
                        kind: PrintKind::Status,
                        outcome: "refused",
                        problem: Some(problem.as_str()),
                        staff: None,
                        detail: Some("a payment was refused: out of service without a printer"),
                    },
                    None,
                ) {
                    return Err(journal_err(e));
                }
                Err(IpcError::printer(
                    PrinterNotice {
                        problem,
                        choices: vec![PrinterChoice::Cancel],
                    },
                    format!(
                        "the receipt printer cannot print ({}); the settings take no payment without a slip",
                        problem.as_str()
                    ),
                ))
            }
        }
    }

    /// Records the plan on the new checkout, before its payment starts.
    pub fn record_plan(&self, checkout_id: &str, plan: SlipPlan) -> Result<(), JournalError> {
        match plan.status {
            SlipStatus::None => Ok(()),
            SlipStatus::Skipped => self
                .journal
                .record_print(
                    &NewPrint {
                        checkout_id: Some(checkout_id),
                        kind: PrintKind::Status,
                        outcome: "skipped",
                        problem: plan.problem.map(PrinterProblem::as_str),
                        staff: None,
                        detail: Some("the guest chose to go on without a slip"),
                    },
                    Some(SlipStatus::Skipped),
                )
                .map(|_| ()),
            s => self.journal.set_slip(checkout_id, s),
        }
    }

    /// The header: the settings' lines, else the POS's own, else the restaurant's name.
    fn context(&self, settings: &PrinterSettings, reprint: bool) -> SlipContext {
        let pos_header = self
            .pos
            .print_header()
            .or_else(|| self.restaurant_name.clone());
        let mut ctx = SlipContext::new(settings, pos_header.as_deref(), local_now());
        ctx.reprint = reprint;
        ctx
    }

    /// The slip of a placed order, as it would be printed.
    pub fn slip_of(&self, rec: &CheckoutRecord, reprint: bool) -> Option<Slip> {
        let settings = self.settings()?;
        let ctx = self.context(settings, reprint);
        Some(Slip::from_order(
            &Checkouts::view(rec),
            &rec.quote,
            rec.receipt.as_ref(),
            &ctx,
        ))
    }

    /// Prints the slip of a placed order: journaled before the job and completed with its
    /// result. `staff` names who asked for a reprint. Never touches the order's state.
    pub async fn print_slip(
        &self,
        rec: &CheckoutRecord,
        staff: Option<&str>,
    ) -> Result<(), PrinterError> {
        let (Some(printer), Some(slip)) =
            (self.printer.as_ref(), self.slip_of(rec, staff.is_some()))
        else {
            return Err(PrinterError::Config(
                "no printer is configured on this kiosk".into(),
            ));
        };
        let kind = if staff.is_some() {
            PrintKind::Reprint
        } else {
            PrintKind::Slip
        };
        let print_id = self
            .journal
            .record_print(
                &NewPrint {
                    checkout_id: Some(&rec.id),
                    kind,
                    outcome: "started",
                    problem: None,
                    staff,
                    detail: Some(&format!("number {}", slip.number)),
                },
                Some(SlipStatus::Printing),
            )
            .map_err(|e| PrinterError::Io(std::io::Error::other(e.to_string())))?;
        let result = printer.print(&slip).await;
        self.finish(print_id, &result, true);
        match &result {
            Ok(()) => tracing::info!(checkout = %rec.id, number = %slip.number, "slip printed"),
            Err(e) => {
                tracing::warn!(checkout = %rec.id, number = %slip.number, error = %e, "slip not printed")
            }
        }
        result
    }

    /// Completes a job's record and the alert with its result.
    fn finish(&self, print_id: i64, result: &Result<(), PrinterError>, sets_slip: bool) {
        let written = match result {
            Ok(()) => {
                self.clear(true);
                self.journal.finish_print(
                    print_id,
                    "printed",
                    None,
                    None,
                    sets_slip.then_some(SlipStatus::Printed),
                )
            }
            Err(e) => {
                let problem = problem_of(e);
                self.raise(problem, Some(e.to_string()));
                self.journal.finish_print(
                    print_id,
                    "failed",
                    Some(problem.as_str()),
                    Some(&e.to_string()),
                    sets_slip.then_some(SlipStatus::Failed),
                )
            }
        };
        if let Err(e) = written {
            tracing::error!(error = %e, print = print_id, "cannot journal the print's result");
        }
    }

    /// After a restart: slips that were being printed when the kiosk stopped did not finish,
    /// and placed orders whose slip never started will not be printed late for a guest who has
    /// gone. Both are marked failed (staff can print them again). Returns how many.
    pub fn recover(&self) -> Result<usize, JournalError> {
        let mut n = 0;
        for rec in self.journal.slips_unfinished()? {
            let print_id = self.journal.record_print(
                &NewPrint {
                    checkout_id: Some(&rec.id),
                    kind: PrintKind::Slip,
                    outcome: "started",
                    problem: None,
                    staff: None,
                    detail: Some("found unfinished after a restart"),
                },
                None,
            )?;
            self.journal.finish_print(
                print_id,
                "failed",
                None,
                Some("the kiosk restarted before the slip was printed; print it again from the staff screens"),
                Some(SlipStatus::Failed),
            )?;
            n += 1;
        }
        Ok(n)
    }

    /// Asks the printer every `every` and keeps the alert true. Runs for the life of the
    /// engine; does nothing without a printer.
    pub async fn watch(self: Arc<Self>, every: Duration) {
        if self.printer.is_none() {
            return;
        }
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.check().await;
        }
    }

    /// Staff's "print the number": the whole slip again (marked as a copy) for an order this
    /// kiosk placed, a number-only slip for any other order.
    pub async fn print_ticket(&self, ticket: &NumberTicket) -> Result<(), PrinterError> {
        let Some(printer) = self.printer.as_ref() else {
            return Err(PrinterError::Config(
                "no printer is configured on this kiosk".into(),
            ));
        };
        let placed = ticket
            .checkout_id
            .as_deref()
            .and_then(|id| self.journal.get(id).ok())
            .filter(|r| {
                matches!(
                    r.state,
                    CheckoutState::Posted | CheckoutState::Tracking | CheckoutState::Completed
                )
            });
        if let Some(rec) = placed {
            return self
                .print_slip(&rec, Some(ticket.staff.as_deref().unwrap_or("staff")))
                .await;
        }
        let ctx = self.context(printer.settings(), true);
        let slip = NumberSlip::new(&ticket.number, ticket.order_type, ticket.total, &ctx);
        let print_id = self
            .journal
            .record_print(
                &NewPrint {
                    checkout_id: ticket.checkout_id.as_deref(),
                    kind: PrintKind::Number,
                    outcome: "started",
                    problem: None,
                    staff: ticket.staff.as_deref(),
                    detail: Some(&format!("number {}", ticket.number)),
                },
                None,
            )
            .map_err(|e| PrinterError::Io(std::io::Error::other(e.to_string())))?;
        let bytes = printer::layout::render_number(&slip, &printer.settings().format());
        let result = printer.print_raw(bytes).await;
        self.finish(print_id, &result, false);
        result
    }
}

#[async_trait]
impl NumberPrinter for Printing {
    fn configured(&self) -> bool {
        self.printer.is_some()
    }

    async fn print_number(&self, ticket: &NumberTicket) -> Result<PrintResult, String> {
        if self.printer.is_none() {
            return Ok(PrintResult::NotPrinted {
                reason: "no printer is configured on this kiosk".into(),
            });
        }
        self.print_ticket(ticket)
            .await
            .map(|()| PrintResult::Printed)
            .map_err(|e| e.to_string())
    }
}

/// A printer event as a line of the order's history on the staff screens: `slip.printed`,
/// `slip.failed`, `reprint.printed`, `status.skipped`… with the problem and detail.
pub fn history_entry(p: PrintRecord) -> StaffHistoryEntry {
    let detail = match (p.problem, p.detail) {
        (Some(problem), Some(d)) => Some(format!("{problem}: {d}")),
        (Some(problem), None) => Some(problem),
        (None, d) => d,
    };
    StaffHistoryEntry {
        at: p.finished_at.unwrap_or(p.at),
        kind: StaffHistoryKind::Printer,
        staff: p.staff,
        what: format!("{}.{}", p.kind, p.outcome),
        detail,
    }
}

/// The printer's line for the connection test, the service screen and `kioskctl doctor`: its
/// status now, and what to do about a problem. `None` when the kiosk has no printer.
pub async fn check_line(settings: Option<PrinterSettings>) -> Option<CheckLine> {
    let settings = settings?;
    let what = format!(
        "{}, {} mm, {:?}",
        settings.connection.describe(),
        match settings.paper {
            printer::PaperWidth::Mm58 => 58,
            printer::PaperWidth::Mm80 => 80,
        },
        settings.code_page
    )
    .to_lowercase();
    let policy = settings.policy;
    let status = Printer::new(settings).status().await;
    let problem = match &status {
        Ok(s) => match s.ready() {
            Ok(()) if s.paper == printer::PaperState::NearEnd => PrinterProblem::PaperNearEnd,
            Ok(()) => return Some(CheckLine::ok("printer", "Receipt printer", format!("ready ({what})"))),
            Err(e) => problem_of(&e),
        },
        Err(PrinterError::StatusUnsupported) => {
            return Some(CheckLine::warn(
                "printer",
                "Receipt printer",
                format!("this connection cannot report status ({what})"),
                "the kiosk prints without knowing whether the printer has paper; set `status = true` if the printer answers status requests",
            ))
        }
        Err(e) => problem_of(e),
    };
    let detail = match &status {
        Err(e) => format!("{} ({what}): {e}", problem.as_str()),
        Ok(_) => format!("{} ({what})", problem.as_str()),
    };
    let fix = match problem {
        PrinterProblem::PaperOut | PrinterProblem::PaperNearEnd => "put in a new paper roll",
        PrinterProblem::CoverOpen => "close the printer's cover",
        PrinterProblem::Offline | PrinterProblem::HardwareError => {
            "check the printer's lights and cutter; switch it off and on"
        }
        PrinterProblem::NotResponding | PrinterProblem::Unreachable => {
            "check that the printer is on and connected, and the [printer] address or path"
        }
        PrinterProblem::Fault => "check the cable and that the printer speaks ESC/POS",
    };
    Some(match (problem, policy) {
        (PrinterProblem::PaperNearEnd, _) => {
            CheckLine::warn("printer", "Receipt printer", detail, fix)
        }
        (_, printer::PrinterPolicy::ContinueWithoutSlip) => CheckLine::warn(
            "printer",
            "Receipt printer",
            format!("{detail}; guests are offered to go on without a slip"),
            fix,
        ),
        (_, printer::PrinterPolicy::OutOfService) => CheckLine::fail(
            "printer",
            "Receipt printer",
            format!("{detail}; the kiosk takes no payments until it prints"),
            fix,
        ),
    })
}
