/**
 * TEST DOUBLE: an in-process stand-in for the core's staff desk, used when the page runs outside
 * Tauri (a plain browser, Vitest), so the staff screens stay clickable without a kiosk.
 *
 * It keeps a small restaurant's orders for either POS, with the rules of the real desk in
 * simplified form: problems first, the actions that fit each order, Jupiter locks (one held by
 * another member on this kiosk, one held on another device), every action in the history with
 * who and when. The kopeck helpers exist ONLY to make believable totals for added dishes and
 * loyalty discounts; the real UI never does money arithmetic, the Rust core does.
 *
 * Demo logins: r_keeper PINs 1111 (Анна) and 2222 (Борис); Jupiter passwords 11112 (Трофимова)
 * and 2222 (Пикаров), or Трофимова's card `;7001234567=0000?`; loyalty codes 1234 and 834-112.
 *
 * Switches (URL query of the page): `?pos=jupiter`, `?latency=0`, `?staffidle=40` (seconds),
 * `?printer=1` (a printer is set up), `?printer=paper_out` (set up, with that problem: the alert
 * above the list, and reprints fail).
 */
import type { Adjustment } from '../bindings/Adjustment';
import type { CartLine } from '../bindings/CartLine';
import type { CheckoutNotice } from '../bindings/CheckoutNotice';
import type { CheckoutState } from '../bindings/CheckoutState';
import type { IpcError } from '../bindings/IpcError';
import type { LoyaltyClientView } from '../bindings/LoyaltyClientView';
import type { MenuView } from '../bindings/MenuView';
import type { OrderStatus } from '../bindings/OrderStatus';
import type { PaymentReceipt } from '../bindings/PaymentReceipt';
import type { PrinterAlert } from '../bindings/PrinterAlert';
import type { PrinterProblem } from '../bindings/PrinterProblem';
import type { Quote } from '../bindings/Quote';
import type { QuoteLine } from '../bindings/QuoteLine';
import type { StaffAction } from '../bindings/StaffAction';
import type { StaffCapabilities } from '../bindings/StaffCapabilities';
import type { StaffCredential } from '../bindings/StaffCredential';
import type { StaffEvent } from '../bindings/StaffEvent';
import type { StaffHandled } from '../bindings/StaffHandled';
import type { StaffHistoryEntry } from '../bindings/StaffHistoryEntry';
import type { StaffLoginInfo } from '../bindings/StaffLoginInfo';
import type { StaffLoginVerdict } from '../bindings/StaffLoginVerdict';
import type { StaffOrderDetail } from '../bindings/StaffOrderDetail';
import type { StaffOrderRef } from '../bindings/StaffOrderRef';
import type { StaffOrderRow } from '../bindings/StaffOrderRow';
import type { StaffOrdersView } from '../bindings/StaffOrdersView';
import type { StaffOutcome } from '../bindings/StaffOutcome';
import type { StaffProblem } from '../bindings/StaffProblem';
import type { StaffSession } from '../bindings/StaffSession';
import type { Unlisten } from '../ipc';
// The customer fake's decimal-string helpers: TEST DOUBLE ONLY.
import { createFakeBackend, fromKop, toKop } from '../ipc.fake';
import type { StaffBackend } from './ipc';

export type FakePos = 'procart' | 'jupiter';

export interface FakeStaffOptions {
  pos?: FakePos;
  /** Multiplies every simulated delay; 0 answers on the next microtask. */
  latency?: number;
  idleLogoutS?: number;
  /** A printer for order numbers is set up. */
  printer?: boolean;
  /** The printer's problem from the start (with `printer`). */
  printerProblem?: PrinterProblem | null;
  /** Staff cannot log in, and why. */
  problem?: string | null;
}

export interface FakeStaffBackend extends StaffBackend {
  readonly options: FakeStaffOptions;
  /** Pushes an event to the screens, as the shell would. */
  emit(event: StaffEvent): void;
  /** Ends a session as the core's idle sweep would, telling the screens. */
  expire(session: string, reason?: string): void;
  /** Forgets a session without telling the screens (the core restarted). */
  drop(session: string): void;
  /** Another device takes a Jupiter order's lock (the POS then refuses ours). */
  lockElsewhere(posOrderId: string): void;
  /** The printer gets a problem (raising the staff alert), or is fixed (`null`). */
  setPrinterProblem(problem: PrinterProblem | null): void;
  /** The names of the commands called so far, oldest first (tests read it). */
  readonly calls: string[];
}

const PRINTER_PROBLEMS: readonly PrinterProblem[] = [
  'paper_out', 'paper_near_end', 'cover_open', 'offline', 'not_responding', 'unreachable', 'hardware_error', 'fault',
];

export function fakeStaffOptionsFromUrl(search: string): FakeStaffOptions {
  const q = new URLSearchParams(search);
  const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  const printer = q.get('printer');
  return {
    pos: q.get('pos') === 'jupiter' ? 'jupiter' : 'procart',
    latency: num('latency'),
    idleLogoutS: num('staffidle'),
    printer: printer !== null && printer !== '0',
    printerProblem: PRINTER_PROBLEMS.find((p) => p === printer) ?? null,
  };
}

// ---- the fake desk -------------------------------------------------------------------------------

interface FakeOrder {
  checkoutId: string | null;
  posOrderId: string | null;
  number: string;
  state: CheckoutState | null;
  status: OrderStatus | null;
  paid: string | null;
  payAtCounter: boolean;
  openedAt: string;
  problem: StaffProblem | null;
  handled: StaffHandled | null;
  receipt: PaymentReceipt | null;
  notice: CheckoutNotice | null;
  quote: Quote;
  client: LoyaltyClientView | null;
  /** A lock taken through this kiosk: the session and the member's name. */
  lock: { session: string; name: string; since: number } | null;
  /** Locked on another device: the POS refuses our lock. */
  lockedElsewhere: boolean;
  history: StaffHistoryEntry[];
}

interface Member {
  id: string;
  name: string;
  secret: string;
  card?: string;
}

const MEMBERS: Record<FakePos, Member[]> = {
  procart: [
    { id: 'anna', name: 'Анна (демо)', secret: '1111' },
    { id: 'boris', name: 'Борис (демо)', secret: '2222' },
  ],
  jupiter: [
    { id: 'jpos-5a1c0e', name: 'Трофимова В.А.', secret: '11112', card: ';7001234567=0000?' },
    { id: 'jpos-9d72b4', name: 'Пикаров Б.К.', secret: '2222' },
  ],
};

const CLIENTS: Record<string, { client: LoyaltyClientView; percent: number }> = {
  '1234': { client: { name: 'Святослав', card: '1234', bonus: '100.00' }, percent: 10 },
  '834-112': { client: { name: 'Анна', card: '5678', bonus: '250.50' }, percent: 5 },
};

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();

function line(dish: string, name: string, qty: number, unit: string): QuoteLine {
  return { dish, name, qty, unit_price: unit, modifiers: [], total: fromKop(toKop(unit) * qty) };
}

function quoteOf(lines: QuoteLine[], adjustments: Adjustment[] = []): Quote {
  const subtotal = lines.reduce((s, l) => s + toKop(l.total), 0);
  const total = subtotal + adjustments.reduce((s, a) => s + toKop(a.amount), 0);
  return { source: 'pos', lines, adjustments, subtotal: fromKop(subtotal), total: fromKop(total) };
}

function receipt(amount: string, id: string): PaymentReceipt {
  return {
    provider: 'simulator', attempt_id: `att-${id}`, transaction_id: `SIM-${id}`, auth_code: '123456',
    card_mask: '**** 4242', amount, paid_at: ago(30),
  };
}

function state(at: string, what: string, detail: string | null = null): StaffHistoryEntry {
  return { at, kind: 'state', staff: null, what, detail };
}

/** A printer event of the history, as the core words it (`slip.printed`, `reprint.failed`…). */
function printed(at: string, what: string, staff: string | null, detail: string | null): StaffHistoryEntry {
  return { at, kind: 'printer', staff, what, detail };
}

function demoOrders(pos: FakePos): FakeOrder[] {
  const base = {
    checkoutId: null, posOrderId: null, state: null, status: null, paid: null, payAtCounter: false,
    problem: null, handled: null, receipt: null, notice: null, client: null, lock: null, lockedElsewhere: false,
  };
  const burger = line('d-classic', 'Классический бургер', 2, '289.00');
  const fries = line('d-fries', 'Картофель фри', 1, '129.00');
  const cola = line('d-cola', 'Кола', 2, '119.00');
  const caesar = line('d-caesar', 'Цезарь с курицей', 1, '349.00');
  if (pos === 'procart') {
    const q1 = quoteOf([burger, fries, cola]);
    const q2 = quoteOf([caesar, cola]);
    const q3 = quoteOf([burger]);
    const reason = 'still posting after 1800s';
    return [
      {
        ...base, checkoutId: 'c-101', number: 'K-101', state: 'needs_staff', openedAt: ago(34),
        problem: { kind: 'needs_staff', reason }, receipt: receipt(q1.total, '101'), quote: q1,
        notice: { kind: 'ask_staff', reason },
        history: [state(ago(34), 'priced'), state(ago(34), 'payment_started'), state(ago(33), 'paid'),
          state(ago(33), 'posting'), state(ago(3), 'needs_staff', reason)],
      },
      {
        ...base, checkoutId: 'c-102', posOrderId: '{9f1c2a44-0d7e-4d5b-9a37-5a2b7f1e0c11}', number: '117',
        state: 'posted', status: { kind: 'deferred' }, paid: '0.00', payAtCounter: true, openedAt: ago(12),
        problem: { kind: 'unpaid_at_counter' }, quote: q2,
        history: [state(ago(12), 'priced'), state(ago(12), 'posting'), state(ago(12), 'posted'),
          printed(ago(12), 'slip.failed', null, 'paper_out: the printer reports: paper out')],
      },
      {
        ...base, checkoutId: 'c-103', posOrderId: '{0b7d5e21-8c3f-4f6a-b2d9-31e6a4c8f902}', number: '118',
        state: 'tracking', status: { kind: 'open' }, paid: q3.total, openedAt: ago(6), receipt: receipt(q3.total, '103'),
        quote: q3,
        history: [state(ago(6), 'priced'), state(ago(6), 'payment_started'), state(ago(6), 'paid'),
          state(ago(6), 'posting'), state(ago(6), 'posted'), printed(ago(6), 'slip.printed', null, 'number 118'),
          state(ago(5), 'tracking')],
      },
    ];
  }
  const q1 = quoteOf([burger, cola]);
  const table5 = quoteOf([caesar, fries]);
  const table2 = quoteOf([line('d-borsch', 'Борщ со сметаной', 2, '259.00')]);
  const table7 = quoteOf([burger, fries]);
  const mismatch = `Jupiter totals order j-201 at ${fromKop(toKop(q1.total) - 5000)} but ${q1.total} was charged; the order is left open in Jupiter for staff`;
  return [
    {
      ...base, checkoutId: 'j-201', posOrderId: 'j-201', number: '0201', state: 'needs_staff',
      status: { kind: 'open' }, paid: null, openedAt: ago(9), receipt: receipt(q1.total, '201'), quote: q1,
      problem: { kind: 'total_mismatch', pos_order_id: 'j-201', reason: mismatch },
      notice: { kind: 'ask_staff', reason: mismatch },
      history: [state(ago(9), 'priced'), state(ago(9), 'payment_started'), state(ago(9), 'paid'),
        state(ago(9), 'posting'), state(ago(9), 'needs_staff', mismatch)],
    },
    {
      ...base, posOrderId: '4:1:0:90005', number: 'Стол 5', status: { kind: 'open' }, openedAt: ago(41),
      quote: table5, history: [],
    },
    {
      ...base, posOrderId: '4:1:0:90002', number: 'Стол 2', status: { kind: 'open' }, openedAt: ago(18),
      quote: table2, history: [], lock: { session: 'other-session', name: 'Пикаров Б.К.', since: Date.now() - 120_000 },
    },
    {
      ...base, posOrderId: '4:1:0:90007', number: 'Стол 7', status: { kind: 'open' }, openedAt: ago(4),
      quote: table7, history: [], lockedElsewhere: true,
    },
  ];
}

function capabilities(pos: FakePos, printer: boolean): StaffCapabilities {
  const jupiter = pos === 'jupiter';
  return {
    lock: jupiter, add_dishes: jupiter, print_bill: jupiter, add_client: jupiter,
    close: !jupiter, print_info: !jupiter, print_number: printer,
  };
}

const bad = (message: string): IpcError => ({ code: 'bad_input', message });

export function createFakeStaffBackend(initial: FakeStaffOptions = {}): FakeStaffBackend {
  const options: FakeStaffOptions = { pos: 'procart', latency: 1, idleLogoutS: 300, printer: false, problem: null, ...initial };
  const pos: FakePos = options.pos ?? 'procart';
  const orders = demoOrders(pos);
  const sessions = new Map<string, { who: Member; last: number }>();
  const handlers = new Set<(e: StaffEvent) => void>();
  const calls: string[] = [];
  let failures = 0;
  let lockedUntil = 0;
  let revision = 1;
  let seq = 0;
  let menuView: Promise<MenuView> | null = null;
  let printerAlert: PrinterAlert | null = options.printerProblem
    ? { problem: options.printerProblem, since: ago(7), detail: `the printer reports: ${options.printerProblem}` }
    : null;

  const wait = (ms: number) => {
    const scaled = ms * (options.latency ?? 1);
    return scaled <= 0 ? Promise.resolve() : new Promise<void>((r) => setTimeout(r, scaled));
  };
  const idleMs = () => (options.idleLogoutS ?? 300) * 1000;
  const emit = (e: StaffEvent) => handlers.forEach((h) => h(e));
  const bump = () => emit({ kind: 'orders_changed', revision: ++revision });

  function authorize(session: string, keepAlive: boolean): Member {
    const s = sessions.get(session);
    if (!s || Date.now() - s.last >= idleMs()) {
      if (s) expire(session, 'no activity');
      throw { code: 'not_authorized', message: 'not logged in, or the session ended: log in again' } satisfies IpcError;
    }
    if (keepAlive) s.last = Date.now();
    return s.who;
  }

  function expire(session: string, reason = 'no activity') {
    if (!sessions.delete(session)) return;
    for (const o of orders) if (o.lock?.session === session) o.lock = null;
    emit({ kind: 'session_ended', session, reason });
    bump();
  }

  const label = (m: Member) => `${m.name} (${m.id})`;

  function record(o: FakeOrder, who: Member, what: string, detail: string | null) {
    o.history.push({ at: new Date().toISOString(), kind: 'staff', staff: label(who), what, detail });
  }

  function find(ref: StaffOrderRef): FakeOrder {
    const o = orders.find((x) => (ref.kind === 'checkout' ? x.checkoutId === ref.checkout_id : x.posOrderId === ref.pos_order_id));
    if (!o) throw { code: 'not_found', message: 'not found: the order' } satisfies IpcError;
    return o;
  }

  const byPos = (id: string) => find({ kind: 'pos', pos_order_id: id });
  const byCheckout = (id: string) => find({ kind: 'checkout', checkout_id: id });
  const live = (o: FakeOrder) => o.status !== null && o.status.kind !== 'closed' && o.status.kind !== 'deleted';

  function actions(o: FakeOrder, session: string): StaffAction[] {
    const out: StaffAction[] = [];
    switch (o.problem?.kind) {
      case 'needs_staff':
        out.push('retry_send', 'refund', 'mark_handled');
        break;
      case 'total_mismatch':
        out.push('refund', 'mark_handled');
        break;
      case 'stuck_sending':
        out.push('retry_send');
        break;
      case 'unpaid_at_counter':
        out.push('mark_handled');
        break;
    }
    if (o.posOrderId) {
      if (pos === 'jupiter' && live(o)) {
        if (!o.lock) out.push('lock');
        else if (o.lock.session === session) out.push('add_dishes', 'print_bill', 'add_client', 'unlock');
      }
      if (pos === 'procart') {
        if (live(o)) out.push('close');
        out.push('print_info');
      }
    }
    out.push('print_number');
    return out;
  }

  function row(o: FakeOrder, session: string): StaffOrderRow {
    return {
      reference: o.checkoutId ? { kind: 'checkout', checkout_id: o.checkoutId } : { kind: 'pos', pos_order_id: o.posOrderId! },
      source: o.checkoutId ? 'kiosk' : 'pos',
      checkout_id: o.checkoutId, pos_order_id: o.posOrderId, number: o.number, state: o.state,
      pos_status: o.status, total: o.quote.total, paid: o.paid, pay_at_counter: o.payAtCounter,
      opened_at: o.openedAt, age_s: Math.max(0, Math.round((Date.now() - Date.parse(o.openedAt)) / 1000)),
      problem: o.problem, locked_by: o.lock?.name ?? null, handled: o.handled, actions: actions(o, session),
    };
  }

  function detail(o: FakeOrder, session: string): StaffOrderDetail {
    return {
      row: row(o, session), quote: o.quote, external_id: o.checkoutId, notice: o.notice, payment: o.receipt,
      client: o.client,
      lock: o.lock ? { held_by: o.lock.name, mine: o.lock.session === session, since_s: Math.round((Date.now() - o.lock.since) / 1000) } : null,
      history: [...o.history],
    };
  }

  function settle(o: FakeOrder, who: Member, reason: string) {
    o.problem = null;
    o.handled = { by: label(who), at: new Date().toISOString(), reason };
    record(o, who, 'mark_handled', reason);
  }

  /** Journals the action, runs it, journals its result, tells the screens (like the desk). */
  async function act(session: string, o: FakeOrder, action: StaffAction, text: string, run: (who: Member) => StaffOutcome): Promise<StaffOutcome> {
    calls.push(action);
    await wait(250);
    const who = authorize(session, true);
    record(o, who, action, text);
    try {
      const out = run(who);
      const failed = out.kind === 'no_printer' || out.kind === 'lock_refused';
      record(o, who, `${action}.${failed ? 'failed' : 'ok'}`, out.kind);
      return out;
    } catch (e) {
      record(o, who, `${action}.failed`, (e as IpcError).message ?? String(e));
      throw e;
    } finally {
      bump();
    }
  }

  function requireLock(o: FakeOrder, session: string) {
    if (!o.lock) throw bad('lock the order before changing it');
    if (o.lock.session !== session) throw bad(`${o.lock.name} is editing this order; wait until they are done`);
  }

  function fits(o: FakeOrder, session: string, a: StaffAction) {
    if (!actions(o, session).includes(a)) throw bad(`${a} does not fit order ${o.number} now`);
  }

  const fake: FakeStaffBackend = {
    options,
    calls,
    emit,
    expire,
    drop(session) {
      sessions.delete(session);
    },
    lockElsewhere(posOrderId) {
      byPos(posOrderId).lockedElsewhere = true;
    },
    setPrinterProblem(problem) {
      if (printerAlert?.problem === problem) return;
      printerAlert = problem ? { problem, since: new Date().toISOString(), detail: `the printer reports: ${problem}` } : null;
      bump();
    },

    async loginInfo(): Promise<StaffLoginInfo> {
      calls.push('login_info');
      await wait(80);
      return {
        enabled: !options.problem, staff_mode: true, pos,
        methods: pos === 'jupiter' ? ['password', 'card'] : ['pin'],
        members: pos === 'jupiter' ? [] : MEMBERS.procart.map((m) => ({ id: m.id, name: m.name })),
        idle_logout_s: options.idleLogoutS ?? 300,
        retry_in_s: Math.max(0, Math.ceil((lockedUntil - Date.now()) / 1000)),
        problem: options.problem ?? null,
      };
    },

    async login(credential: StaffCredential): Promise<StaffLoginVerdict> {
      calls.push('login');
      await wait(300);
      const retry = Math.ceil((lockedUntil - Date.now()) / 1000);
      if (retry > 0) return { kind: 'locked_out', retry_in_s: retry };
      let who: Member | undefined;
      if (credential.kind === 'pin') {
        if (pos !== 'procart') throw bad('jupiter checks staff passwords itself: log in with the password or the card');
        who = MEMBERS.procart.find((m) => m.secret === credential.pin && (!credential.staff_id || credential.staff_id === m.id));
      } else {
        if (pos !== 'jupiter') throw bad('r_keeper staff log in with their kiosk PIN');
        const secret = credential.kind === 'password' ? credential.password : credential.track;
        who = MEMBERS.jupiter.find((m) => (credential.kind === 'password' ? m.secret : m.card) === secret);
      }
      if (!who) {
        failures += 1;
        const left = Math.max(0, 5 - failures);
        const lock = left === 0 ? 60 * 2 ** (failures - 5) : 0;
        if (lock) lockedUntil = Date.now() + lock * 1000;
        return { kind: 'wrong', attempts_before_lockout: left, retry_in_s: lock };
      }
      failures = 0;
      const session = `fake-${++seq}`;
      sessions.set(session, { who, last: Date.now() });
      return { kind: 'granted', session: await fake.session(session) };
    },

    async logout(session) {
      calls.push('logout');
      await wait(50);
      if (sessions.has(session)) expire(session, 'logout');
    },

    async session(session): Promise<StaffSession> {
      calls.push('session');
      const who = authorize(session, true);
      return {
        session, staff: { id: who.id, name: who.name }, pos, idle_logout_s: options.idleLogoutS ?? 300,
        capabilities: capabilities(pos, options.printer ?? false), warning: null,
      };
    },

    async orders(session): Promise<StaffOrdersView> {
      calls.push('orders');
      await wait(150);
      authorize(session, false);
      const rows = orders.filter((o) => o.checkoutId || live(o)).map((o) => row(o, session));
      const problems = rows.filter((r) => r.problem).sort((a, b) => (b.age_s ?? 0) - (a.age_s ?? 0));
      const rest = rows.filter((r) => !r.problem).sort((a, b) => (a.age_s ?? 0) - (b.age_s ?? 0));
      return { problems, orders: rest, pos_error: null, revision, ...(printerAlert ? { printer: { ...printerAlert } } : {}) };
    },

    async order(session, ref) {
      calls.push('order');
      await wait(120);
      authorize(session, false);
      return detail(find(ref), session);
    },

    retrySend: (session, checkoutId) => {
      const o = byCheckout(checkoutId);
      return act(session, o, 'retry_send', `${o.state} after 3 attempts; looking up ${checkoutId} in the POS first`, () => {
        fits(o, session, 'retry_send');
        o.posOrderId = `{5e0c${String(++seq).padStart(4, '0')}-0000-4000-8000-000000000000}`;
        o.number = String(120 + seq);
        o.status = { kind: 'open' };
        o.paid = o.quote.total;
        o.problem = null;
        o.handled = { by: 'kiosk', at: new Date().toISOString(), reason: `sent to the POS by staff as order ${o.posOrderId}` };
        return { kind: 'sent', pos_order_id: o.posOrderId, number: o.number };
      });
    },

    async markHandled(session, checkoutId, reason) {
      const o = byCheckout(checkoutId);
      calls.push('mark_handled');
      await wait(200);
      const who = authorize(session, true);
      const text = reason.trim();
      if (!text || text.length > 300) throw bad('say in 1 to 300 characters how it was settled');
      fits(o, session, 'mark_handled');
      settle(o, who, text);
      bump();
      return { kind: 'handled' };
    },

    refund: (session, checkoutId) => {
      const o = byCheckout(checkoutId);
      return act(session, o, 'refund', `refund ${o.receipt?.amount} of payment ${o.receipt?.transaction_id}`, (who) => {
        fits(o, session, 'refund');
        const reference = `SIMR-${500000 + ++seq}`;
        const amount = o.receipt!.amount;
        settle(o, who, `refunded ${amount} through simulator, reference ${reference}`);
        return { kind: 'refunded', amount, reference };
      });
    },

    // As the core does: the whole slip again for an order the kiosk placed, the number alone
    // for any other; a printer with a problem fails the print (paper near its end still prints).
    printNumber: (session, ref) => {
      const o = find(ref);
      return act(session, o, 'print_number', `number ${o.number}`, (who) => {
        if (!options.printer) return { kind: 'no_printer', reason: 'no printer is configured on this kiosk' };
        const kind = o.state === 'posted' || o.state === 'tracking' || o.state === 'completed' ? 'reprint' : 'number';
        const problem = printerAlert && printerAlert.problem !== 'paper_near_end' ? printerAlert.problem : null;
        if (o.checkoutId) {
          const detail = problem ? `${problem}: the printer reports: ${problem}` : `number ${o.number}`;
          o.history.push(printed(new Date().toISOString(), `${kind}.${problem ? 'failed' : 'printed'}`, who.name, detail));
        }
        if (problem) throw { code: 'printer_unavailable', message: `the printer failed: the printer reports: ${problem}` } satisfies IpcError;
        return { kind: 'printed' };
      });
    },

    lock: (session, posOrderId) => {
      const o = byPos(posOrderId);
      return act(session, o, 'lock', 'lock', (who) => {
        if (pos !== 'jupiter') throw bad('ProCart has no order locks');
        if (o.lock && o.lock.session !== session) return { kind: 'lock_refused', held_by: o.lock.name, message: `${o.lock.name} is editing this order on this kiosk` };
        if (o.lockedElsewhere) return { kind: 'lock_refused', held_by: null, message: 'Заказ редактируется на другой станции' };
        o.lock = { session, name: who.name, since: Date.now() };
        return { kind: 'locked', order: detail(o, session) };
      });
    },

    unlock: (session, posOrderId) => {
      const o = byPos(posOrderId);
      return act(session, o, 'unlock', 'unlock', () => {
        if (o.lock && o.lock.session !== session) throw bad(`${o.lock.name} holds this lock; only they (or their session ending) release it`);
        o.lock = null;
        return { kind: 'unlocked' };
      });
    },

    addDishes: async (session, posOrderId, lines: CartLine[]) => {
      const o = byPos(posOrderId);
      const menu = await fake.menu();
      return act(session, o, 'add_dishes', lines.map((l) => `${l.qty} × ${l.dish}`).join('; '), () => {
        requireLock(o, session);
        if (lines.length === 0) throw bad('choose at least one dish');
        const added = lines.map((l) => {
          const d = menu.catalog.dishes.find((x) => x.id === l.dish);
          if (!d) throw bad(`no dish ${l.dish}`);
          const mods = l.modifiers.map((c) => {
            const m = menu.catalog.modifier_groups.flatMap((g) => g.modifiers).find((x) => x.id === c.id)!;
            return { id: m.id, name: m.name, qty: c.qty, total: fromKop(toKop(m.price) * c.qty * l.qty) };
          });
          const unit = toKop(d.price);
          const total = unit * l.qty + mods.reduce((s, m) => s + toKop(m.total), 0);
          return { dish: d.id, name: d.name, qty: l.qty, unit_price: d.price, modifiers: mods, total: fromKop(total) };
        });
        o.quote = quoteOf([...o.quote.lines, ...added], o.quote.adjustments);
        return { kind: 'updated', order: detail(o, session) };
      });
    },

    printBill: (session, posOrderId) => {
      const o = byPos(posOrderId);
      return act(session, o, 'print_bill', 'print the bill', () => {
        requireLock(o, session);
        o.status = { kind: 'bill' };
        return { kind: 'updated', order: detail(o, session) };
      });
    },

    addClient: (session, posOrderId, code) => {
      const o = byPos(posOrderId);
      return act(session, o, 'add_client', `client code …${code.slice(-2)}`, () => {
        requireLock(o, session);
        const c = CLIENTS[code.trim()];
        if (!c) throw { code: 'order_refused', message: 'Клиент не найден' } satisfies IpcError;
        const before = o.quote.total;
        const discount: Adjustment = {
          kind: 'discount', name: `Скидка ${c.percent}% (${c.client.name})`,
          amount: fromKop(-Math.round((toKop(o.quote.subtotal) * c.percent) / 100)), auto: true,
        };
        o.client = c.client;
        o.quote = quoteOf(o.quote.lines, [...o.quote.adjustments.filter((a) => !a.name.startsWith('Скидка')), discount]);
        return { kind: 'client_added', client: c.client, discounts: [discount], total_before: before, total_after: o.quote.total, order: detail(o, session) };
      });
    },

    close: (session, posOrderId) => {
      const o = byPos(posOrderId);
      return act(session, o, 'close', `close with a payment of ${o.quote.total}`, () => {
        if (pos !== 'procart') throw bad('Jupiter has no closing orders');
        if (!live(o)) throw bad('the order is closed already');
        o.status = { kind: 'closed' };
        o.paid = o.quote.total;
        if (o.problem?.kind === 'unpaid_at_counter') o.problem = null;
        if (o.state === 'posted' || o.state === 'tracking') o.state = 'completed';
        return { kind: 'closed', order: { pos_order_id: posOrderId, external_id: o.checkoutId, number: o.number, status: o.status, total: o.quote.total, paid: o.paid } };
      });
    },

    printInfo: (session, posOrderId) => {
      const o = byPos(posOrderId);
      return act(session, o, 'print_info', 'read the long comment', () => {
        if (pos !== 'procart') throw bad('Jupiter has no print_info');
        const lines = o.quote.lines.map((l) => `${l.qty} x ${l.name}`).join('\n');
        return { kind: 'print_info', comment: `Киоск: заказ ${o.number}\n${lines}\nИтого: ${o.quote.total}` };
      });
    },

    menu() {
      menuView ??= createFakeBackend({ latency: 0 }).menu();
      return menuView;
    },

    async onEvent(handler): Promise<Unlisten> {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  return fake;
}
