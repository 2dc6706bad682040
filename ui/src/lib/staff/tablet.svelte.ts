/**
 * The staff tablet's state: login, the session and its auto-logout, the order list with live
 * updates, the selected order, and the actions with their dialogs and outcomes.
 *
 * The core decides everything about orders (which rows are problems, which actions fit, what an
 * action did); this class only asks, keeps the answers and reacts:
 * - **Live updates**: the shell's `staff-event` (`orders_changed`, pushed when the kiosk's
 *   checkouts or the POS's orders change) refreshes the list and the open order; a slow poll is
 *   the safety net for a missed event.
 * - **Auto-logout**: after the session's `idle_logout_s` without a touch the tablet warns, counts
 *   down and logs out. Touches are reported to the core (`staff_session`, at most every few
 *   seconds) because the core ends an untouched session on its own too: its `session_ended`
 *   event (or a `not_authorized` answer) brings the login back with the reason.
 */
import type { CartLine } from '../bindings/CartLine';
import type { IpcError } from '../bindings/IpcError';
import type { LoyaltyClientView } from '../bindings/LoyaltyClientView';
import type { Adjustment } from '../bindings/Adjustment';
import type { MenuView } from '../bindings/MenuView';
import type { StaffAction } from '../bindings/StaffAction';
import type { StaffCredential } from '../bindings/StaffCredential';
import type { StaffEvent } from '../bindings/StaffEvent';
import type { StaffLoginInfo } from '../bindings/StaffLoginInfo';
import type { StaffOrderDetail } from '../bindings/StaffOrderDetail';
import type { StaffOrderRow } from '../bindings/StaffOrderRow';
import type { StaffOrdersView } from '../bindings/StaffOrdersView';
import type { StaffOutcome } from '../bindings/StaffOutcome';
import type { StaffSession } from '../bindings/StaffSession';
import { MESSAGES, isLang, type Lang, type Messages } from '../i18n';
import { asIpcError } from '../ipc-error';
import { IdleTimer } from '../state/idle.svelte';
import { describeOutcome, describeStaffError, printerBanner, rowKey, type Notice, type PrinterBanner } from './format';
import type { StaffBackend } from './ipc';

export type StaffScreen = 'boot' | 'login' | 'desk';

/** Why the login screen is back. */
export type LoginMessage =
  | { kind: 'wrong'; left: number }
  | { kind: 'locked_out' }
  | { kind: 'idle' }
  | { kind: 'ended' }
  | { kind: 'error'; error: IpcError };

/** The dialog an action needs before it runs. */
export type StaffDialog =
  | { kind: 'confirm'; action: 'retry_send' | 'refund' | 'close' }
  | { kind: 'mark_handled' }
  | { kind: 'add_client' }
  | { kind: 'add_dishes' }
  | { kind: 'print_info'; comment: string };

/** What a loyalty client brought, shown in the order until another order is chosen. */
export interface ClientResult {
  client: LoyaltyClientView | null;
  discounts: Adjustment[];
  before: string;
  after: string;
}

/** Touches are reported to the core at most this often (the shortest session is 30 s). */
export const KEEPALIVE_MS = 5000;
/** The slow poll behind the pushed updates. */
export const POLL_MS = 15000;
/** The auto-logout warning lasts this long at most. */
export const WARN_S = 20;

export interface TabletOptions {
  /** The language the tablet starts in (the kiosk's default). */
  lang?: string;
  pollMs?: number;
  keepaliveMs?: number;
}

export class StaffTablet {
  lang = $state<Lang>('ru');
  readonly t: Messages = $derived(MESSAGES[this.lang]);

  info = $state<StaffLoginInfo | null>(null);
  bootError = $state<IpcError | null>(null);
  session = $state<StaffSession | null>(null);
  readonly screen: StaffScreen = $derived(this.session ? 'desk' : this.info || this.bootError ? 'login' : 'boot');

  loginBusy = $state(false);
  loginMessage = $state<LoginMessage | null>(null);
  /** Seconds until another login attempt is allowed. */
  retryIn = $state(0);

  list = $state<StaffOrdersView | null>(null);
  listError = $state<IpcError | null>(null);
  /** When the list was last read (for "updated at" and the rows' ages). */
  listAt = $state<number | null>(null);
  /** Now, moved on every few seconds so ages grow between refreshes. */
  now = $state(Date.now());

  selectedKey = $state<string | null>(null);
  detail = $state<StaffOrderDetail | null>(null);
  detailLoading = $state(false);
  busy = $state<StaffAction | null>(null);
  notice = $state<Notice | null>(null);
  clientResult = $state<ClientResult | null>(null);
  dialog = $state<StaffDialog | null>(null);
  menu = $state<MenuView | null>(null);

  readonly idle: IdleTimer;

  #backend: StaffBackend;
  #pollMs: number;
  #keepaliveMs: number;
  #unlisten: (() => void) | null = null;
  #poll: ReturnType<typeof setInterval> | null = null;
  #clock: ReturnType<typeof setInterval> | null = null;
  #lockout: ReturnType<typeof setInterval> | null = null;
  #keepalive: ReturnType<typeof setTimeout> | null = null;
  #lastKeepalive = 0;
  #refreshing: Promise<void> | null = null;
  #again = false;

  constructor(backend: StaffBackend, opts: TabletOptions = {}) {
    this.#backend = backend;
    this.#pollMs = opts.pollMs ?? POLL_MS;
    this.#keepaliveMs = opts.keepaliveMs ?? KEEPALIVE_MS;
    if (opts.lang && isLang(opts.lang)) this.lang = opts.lang;
    this.idle = new IdleTimer({ timeoutS: 300, countdownS: WARN_S, onExpire: () => void this.logout('idle') });
  }

  get rows(): StaffOrderRow[] {
    return this.list ? [...this.list.problems, ...this.list.orders] : [];
  }

  get selected(): StaffOrderRow | null {
    return this.rows.find((r) => rowKey(r) === this.selectedKey) ?? null;
  }

  /** The receipt printer's problem while it has one, for the banner above the list. */
  get printer(): PrinterBanner | null {
    const alert = this.list?.printer;
    return alert ? printerBanner(this.t, this.lang, alert, this.now) : null;
  }

  /** The row's age now: its age when read plus the time since. */
  ageOf(row: StaffOrderRow): number | null {
    if (row.age_s === null) return null;
    return row.age_s + Math.max(0, Math.floor((this.now - (this.listAt ?? this.now)) / 1000));
  }

  async boot(): Promise<void> {
    this.#unlisten = await this.#backend.onEvent((e) => this.#onEvent(e));
    await this.loadInfo();
  }

  async loadInfo(): Promise<void> {
    try {
      this.info = await this.#backend.loginInfo();
      this.bootError = null;
      if (this.info.retry_in_s > 0) this.#startLockout(this.info.retry_in_s);
    } catch (e) {
      this.bootError = asIpcError(e);
    }
  }

  /** Stops every timer and listener (the tablet is unmounted). */
  dispose(): void {
    this.#unlisten?.();
    this.#unlisten = null;
    this.#stopDesk();
    if (this.#lockout) clearInterval(this.#lockout);
  }

  // -- login -------------------------------------------------------------------------------------

  async login(credential: StaffCredential): Promise<boolean> {
    if (this.loginBusy || this.retryIn > 0) return false;
    this.loginBusy = true;
    try {
      const v = await this.#backend.login(credential);
      switch (v.kind) {
        case 'granted':
          this.loginMessage = null;
          this.#startDesk(v.session);
          return true;
        case 'wrong':
          this.loginMessage = v.retry_in_s > 0 ? { kind: 'locked_out' } : { kind: 'wrong', left: v.attempts_before_lockout };
          if (v.retry_in_s > 0) this.#startLockout(v.retry_in_s);
          return false;
        case 'locked_out':
          this.loginMessage = { kind: 'locked_out' };
          this.#startLockout(v.retry_in_s);
          return false;
      }
    } catch (e) {
      this.loginMessage = { kind: 'error', error: asIpcError(e) };
      return false;
    } finally {
      this.loginBusy = false;
    }
  }

  #startLockout(seconds: number): void {
    if (this.#lockout) clearInterval(this.#lockout);
    this.retryIn = seconds;
    this.#lockout = setInterval(() => {
      this.retryIn = Math.max(0, this.retryIn - 1);
      if (this.retryIn === 0 && this.#lockout) {
        clearInterval(this.#lockout);
        this.#lockout = null;
      }
    }, 1000);
  }

  /** Logs out: by the staff member, or by the idle timer (`idle`). */
  async logout(reason: 'staff' | 'idle' = 'staff'): Promise<void> {
    const s = this.session;
    this.#endSession(reason === 'idle' ? 'idle' : null);
    if (s) await this.#backend.logout(s.session).catch(() => {});
  }

  #startDesk(session: StaffSession): void {
    this.session = session;
    this.list = null;
    this.listError = null;
    this.selectedKey = null;
    this.detail = null;
    this.notice = null;
    this.clientResult = null;
    this.dialog = null;
    this.#lastKeepalive = Date.now();
    const warn = Math.min(WARN_S, Math.max(5, Math.floor(session.idle_logout_s / 3)));
    this.idle.configure(Math.max(1, session.idle_logout_s - warn), warn);
    this.idle.enable();
    this.#poll = setInterval(() => void this.refresh(), this.#pollMs);
    this.#clock = setInterval(() => (this.now = Date.now()), 5000);
    void this.refresh();
  }

  #stopDesk(): void {
    this.idle.disable();
    if (this.#poll) clearInterval(this.#poll);
    if (this.#clock) clearInterval(this.#clock);
    if (this.#keepalive) clearTimeout(this.#keepalive);
    this.#poll = this.#clock = this.#keepalive = null;
  }

  #endSession(why: 'idle' | 'ended' | null): void {
    if (!this.session) return;
    this.#stopDesk();
    this.session = null;
    this.list = null;
    this.detail = null;
    this.selectedKey = null;
    this.dialog = null;
    this.busy = null;
    this.loginMessage = why ? { kind: why } : null;
    void this.loadInfo();
  }

  #onEvent(e: StaffEvent): void {
    if (!this.session) return;
    if (e.kind === 'orders_changed') {
      void this.refresh();
    } else if (e.session === this.session.session) {
      this.#endSession(e.reason === 'logout' ? null : 'idle');
    }
  }

  /** Any error of a staff command: a lost session brings the login back, others are shown. */
  #failed(e: unknown): IpcError {
    const err = asIpcError(e);
    if (err.code === 'not_authorized') this.#endSession('ended');
    return err;
  }

  // -- activity ----------------------------------------------------------------------------------

  /** A touch or a key: restarts the idle wait and tells the core (throttled, trailing). */
  touch(): void {
    if (!this.session) return;
    this.idle.touch();
    if (this.#keepalive) return;
    const wait = Math.max(0, this.#lastKeepalive + this.#keepaliveMs - Date.now());
    this.#keepalive = setTimeout(() => {
      this.#keepalive = null;
      const s = this.session;
      if (!s) return;
      this.#lastKeepalive = Date.now();
      this.#backend.session(s.session).catch((e) => this.#failed(e));
    }, wait);
  }

  setLang(lang: Lang): void {
    this.lang = lang;
  }

  // -- the list and the detail ----------------------------------------------------------------------

  /** Reads the list (and the open order) again; calls during a read coalesce into one more. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        await this.#readList();
      } while (this.#again && this.session);
    })().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  async #readList(): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      const v = await this.#backend.orders(s.session);
      if (this.session !== s) return;
      this.list = v;
      this.listAt = this.now = Date.now();
      this.listError = null;
    } catch (e) {
      this.listError = this.#failed(e);
      return;
    }
    const row = this.selected;
    if (row) await this.#readDetail(row);
  }

  async #readDetail(row: StaffOrderRow): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      const d = await this.#backend.order(s.session, row.reference);
      if (this.session === s && this.selectedKey === rowKey(row)) this.detail = d;
    } catch (e) {
      const err = this.#failed(e);
      if (this.session === s && this.selectedKey === rowKey(row)) this.notice = describeStaffError(this.t, err);
    }
  }

  async select(row: StaffOrderRow): Promise<void> {
    const key = rowKey(row);
    if (this.selectedKey !== key) {
      this.selectedKey = key;
      this.detail = null;
      this.notice = null;
      this.clientResult = null;
    }
    this.detailLoading = true;
    try {
      await this.#readDetail(row);
    } finally {
      this.detailLoading = false;
    }
  }

  // -- actions -----------------------------------------------------------------------------------

  /** An action button: opens its dialog, or runs it at once when it needs nothing more. */
  request(action: StaffAction): void {
    switch (action) {
      case 'retry_send':
      case 'refund':
      case 'close':
        this.dialog = { kind: 'confirm', action };
        return;
      case 'mark_handled':
        this.dialog = { kind: 'mark_handled' };
        return;
      case 'add_client':
        this.dialog = { kind: 'add_client' };
        return;
      case 'add_dishes':
        this.dialog = { kind: 'add_dishes' };
        if (!this.menu) {
          this.#backend
            .menu()
            .then((m) => (this.menu = m))
            .catch((e) => (this.notice = describeStaffError(this.t, asIpcError(e))));
        }
        return;
      default:
        void this.run(action);
    }
  }

  closeDialog(): void {
    this.dialog = null;
  }

  /** Runs an action on the selected order; `args` carries what its dialog asked for. */
  async run(action: StaffAction, args: { reason?: string; code?: string; lines?: CartLine[] } = {}): Promise<StaffOutcome | null> {
    const s = this.session;
    const row = this.selected;
    if (!s || !row || this.busy) return null;
    const b = this.#backend;
    const checkout = row.checkout_id ?? '';
    const pos = row.pos_order_id ?? '';
    const calls: Record<StaffAction, () => Promise<StaffOutcome>> = {
      retry_send: () => b.retrySend(s.session, checkout),
      mark_handled: () => b.markHandled(s.session, checkout, args.reason ?? ''),
      refund: () => b.refund(s.session, checkout),
      print_number: () => b.printNumber(s.session, row.reference),
      lock: () => b.lock(s.session, pos),
      unlock: () => b.unlock(s.session, pos),
      add_dishes: () => b.addDishes(s.session, pos, args.lines ?? []),
      print_bill: () => b.printBill(s.session, pos),
      add_client: () => b.addClient(s.session, pos, args.code ?? ''),
      close: () => b.close(s.session, pos, null),
      print_info: () => b.printInfo(s.session, pos),
    };
    this.busy = action;
    this.notice = null;
    this.idle.touch();
    try {
      const out = await calls[action]();
      if (this.session !== s) return out;
      this.dialog = out.kind === 'print_info' ? { kind: 'print_info', comment: out.comment } : null;
      this.notice = describeOutcome(this.t, out);
      if (out.kind === 'locked' || out.kind === 'updated' || out.kind === 'client_added') this.detail = out.order;
      this.clientResult =
        out.kind === 'client_added'
          ? { client: out.client, discounts: out.discounts, before: out.total_before, after: out.total_after }
          : action === 'unlock' ? null : this.clientResult;
      void this.refresh();
      return out;
    } catch (e) {
      const err = this.#failed(e);
      if (this.session === s) {
        this.notice = describeStaffError(this.t, err);
        this.dialog = null;
        void this.refresh();
      }
      return null;
    } finally {
      this.busy = null;
    }
  }
}
