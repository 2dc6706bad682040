/**
 * What the staff screens say about rows, outcomes and errors: pure functions of the core's views
 * and the language, so they are tested without a screen. Money is only formatted (`t.money`),
 * never computed.
 */
import type { IpcError } from '../bindings/IpcError';
import type { PrinterAlert } from '../bindings/PrinterAlert';
import type { StaffHistoryEntry } from '../bindings/StaffHistoryEntry';
import type { StaffOrderRow } from '../bindings/StaffOrderRow';
import type { StaffOutcome } from '../bindings/StaffOutcome';
import type { OrderStatus } from '../bindings/OrderStatus';
import type { Messages } from '../i18n';

export type Tone = 'ok' | 'warn' | 'error';

/** A message about what an action did (or why it did not). */
export interface Notice {
  tone: Tone;
  text: string;
  /** The outcome's kind, or `error`, for tests and styling. */
  kind: string;
}

/** The row's identity across refreshes: its checkout, else its POS order. */
export function rowKey(row: Pick<StaffOrderRow, 'checkout_id' | 'pos_order_id' | 'number'>): string {
  return row.checkout_id ?? row.pos_order_id ?? row.number;
}

/** "just now", "12 min", "1 h 5 min". */
export function ageText(t: Messages, seconds: number | null): string {
  if (seconds === null) return t.staff.ageUnknown;
  const min = Math.floor(seconds / 60);
  if (min < 1) return t.staff.ageNow;
  if (min < 60) return t.staff.ageMin(min);
  return t.staff.ageHours(Math.floor(min / 60), min % 60);
}

export function posStatusText(t: Messages, s: OrderStatus): string {
  return t.staff.posStatus(s.kind, s.kind === 'unknown' ? s.raw : undefined);
}

/** The row's status line: the checkout's state for the kiosk's orders, the POS's otherwise. */
export function statusText(t: Messages, row: StaffOrderRow): string {
  const parts: string[] = [];
  // A settled problem keeps its checkout state (`needs_staff` is final); say it is settled.
  if (row.state) parts.push(row.state === 'needs_staff' && row.handled ? t.staff.settled : t.staff.state(row.state));
  if (row.pos_status) parts.push(posStatusText(t, row.pos_status));
  return parts.join(' · ');
}

/** A local clock time for an RFC 3339 instant, `14:05:09`. */
export function clockTime(at: string, lang: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return d.toLocaleTimeString(lang === 'en' ? 'en-GB' : 'ru-RU', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Whole seconds from an RFC 3339 instant to `now` (ms), or null when it is not a time. */
export function secondsSince(at: string, now: number): number | null {
  const t = Date.parse(at);
  return Number.isNaN(t) ? null : Math.max(0, Math.floor((now - t) / 1000));
}

/** The receipt printer's alert above the order list: what is wrong, since when, what to do. */
export interface PrinterBanner {
  problem: PrinterAlert['problem'];
  /** `warn` while it still prints (paper near its end), `error` when it cannot. */
  tone: Tone;
  /** What is wrong, a sentence of the printer's texts. */
  title: string;
  /** "Receipt printer · since 14:05 (12 min)". */
  since: string;
  fix: string;
}

export function printerBanner(t: Messages, lang: string, alert: PrinterAlert, now: number): PrinterBanner {
  return {
    problem: alert.problem,
    tone: alert.problem === 'paper_near_end' ? 'warn' : 'error',
    title: t.printer.problem(alert.problem),
    since: `${t.staff.printerAlert} · ${t.staff.printerSince(clockTime(alert.since, lang), ageText(t, secondsSince(alert.since, now)))}`,
    fix: t.staff.printerFix(alert.problem),
  };
}

/** A history line's title: a checkout step, a staff action (and its result), or a printer event. */
export function historyTitle(t: Messages, h: StaffHistoryEntry): string {
  return h.kind === 'printer' ? t.staff.printerWhat(h.what) : t.staff.historyWhat(h.what);
}

/** Whether a history line reports something that did not work (shown in the danger colour). */
export function historyFailed(h: StaffHistoryEntry): boolean {
  return h.what.endsWith('.failed') || (h.kind === 'printer' && (h.what === 'status.problem' || h.what === 'status.refused'));
}

/** The member's name without the id the journal adds to tell namesakes apart. */
export function staffName(label: string): string {
  return label.replace(/\s*\([^()]*\)\s*$/, '');
}

/** What an action did, in words, and how it should look. */
export function describeOutcome(t: Messages, o: StaffOutcome): Notice {
  const s = t.staff;
  const ok = (text: string): Notice => ({ tone: 'ok', text, kind: o.kind });
  const warn = (text: string): Notice => ({ tone: 'warn', text, kind: o.kind });
  switch (o.kind) {
    case 'sent':
      return ok(s.outcomeSent(o.number ?? o.pos_order_id));
    case 'already_in_pos':
      return warn(s.outcomeAlreadyInPos(posStatusText(t, o.order.status), t.money(o.order.total), o.note));
    case 'still_sending':
      return warn(s.outcomeStillSending(o.attempts));
    case 'handled':
      return ok(s.outcomeHandled);
    case 'refunded':
      return ok(s.outcomeRefunded(t.money(o.amount), o.reference));
    case 'refund_pending':
      return warn(s.outcomeRefundPending);
    case 'printed':
      return ok(s.outcomePrinted);
    case 'no_printer':
      return warn(s.outcomeNoPrinter(o.reason));
    case 'locked':
      return ok(s.outcomeLocked);
    case 'lock_refused':
      return warn(o.held_by ? s.outcomeLockRefusedBy(o.held_by) : s.outcomeLockRefused(o.message));
    case 'not_in_pos':
      return warn(s.outcomeNotInPos);
    case 'unlocked':
      return ok(s.outcomeUnlocked);
    case 'updated':
      return ok(s.outcomeUpdated(t.money(o.order.row.total)));
    case 'client_added':
      return ok(s.outcomeClientAdded(o.client?.name ?? '—', t.money(o.total_before), t.money(o.total_after)));
    case 'closed':
      return ok(s.outcomeClosed(posStatusText(t, o.order.status)));
    case 'print_info':
      return ok(s.outcomePrintInfo);
  }
}

/** An error from the core: a title chosen by its code, and the core's own words for staff. */
export function describeStaffError(t: Messages, e: IpcError): Notice {
  return { tone: 'error', kind: 'error', text: `${t.staff.error(e.code)}: ${e.message}` };
}
