/**
 * The typed boundary of the staff tablet: the only module that calls Tauri's `invoke` for the
 * 17 staff commands and listens to `staff-event`.
 *
 * Same pattern as `../ipc.ts`: every command is wrapped with the generated binding types, every
 * rejection is normalised to an `IpcError` (callers branch on `code`), and outside Tauri (a plain
 * browser, Vitest) the calls go to the in-process fake in `ipc.fake.ts`. Tests swap the backend
 * with `useStaffBackend()`.
 *
 * Command arguments are camelCase here; Tauri maps them to the Rust parameters' snake_case.
 */
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { CartLine } from '../bindings/CartLine';
import type { MenuView } from '../bindings/MenuView';
import type { StaffClosePayment } from '../bindings/StaffClosePayment';
import type { StaffCredential } from '../bindings/StaffCredential';
import type { StaffEvent } from '../bindings/StaffEvent';
import type { StaffLoginInfo } from '../bindings/StaffLoginInfo';
import type { StaffLoginVerdict } from '../bindings/StaffLoginVerdict';
import type { StaffOrderDetail } from '../bindings/StaffOrderDetail';
import type { StaffOrderRef } from '../bindings/StaffOrderRef';
import type { StaffOrdersView } from '../bindings/StaffOrdersView';
import type { StaffOutcome } from '../bindings/StaffOutcome';
import type { StaffSession } from '../bindings/StaffSession';
import { backend as kioskBackend, isTauri, type Unlisten } from '../ipc';
import { asIpcError } from '../ipc-error';
import { createFakeStaffBackend, fakeStaffOptionsFromUrl } from './ipc.fake';

/** Everything the staff screens ask of the core; implemented by Tauri below and by the fake. */
export interface StaffBackend {
  loginInfo(): Promise<StaffLoginInfo>;
  login(credential: StaffCredential): Promise<StaffLoginVerdict>;
  logout(session: string): Promise<void>;
  /** The session as it is; also tells the core that staff are active (keeps it alive). */
  session(session: string): Promise<StaffSession>;
  /** A read: does not keep the session alive. */
  orders(session: string): Promise<StaffOrdersView>;
  /** A read: does not keep the session alive. */
  order(session: string, order: StaffOrderRef): Promise<StaffOrderDetail>;
  retrySend(session: string, checkoutId: string): Promise<StaffOutcome>;
  markHandled(session: string, checkoutId: string, reason: string): Promise<StaffOutcome>;
  refund(session: string, checkoutId: string): Promise<StaffOutcome>;
  printNumber(session: string, order: StaffOrderRef): Promise<StaffOutcome>;
  lock(session: string, posOrderId: string): Promise<StaffOutcome>;
  unlock(session: string, posOrderId: string): Promise<StaffOutcome>;
  addDishes(session: string, posOrderId: string, lines: CartLine[]): Promise<StaffOutcome>;
  printBill(session: string, posOrderId: string): Promise<StaffOutcome>;
  addClient(session: string, posOrderId: string, code: string): Promise<StaffOutcome>;
  close(session: string, posOrderId: string, payment: StaffClosePayment | null): Promise<StaffOutcome>;
  printInfo(session: string, posOrderId: string): Promise<StaffOutcome>;
  /** The menu, for adding dishes (the customer's `menu` command). */
  menu(): Promise<MenuView>;
  onEvent(handler: (event: StaffEvent) => void): Promise<Unlisten>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asIpcError(error);
  }
}

/** The real backend: the shell's staff commands and its `staff-event`. */
export const tauriStaffBackend: StaffBackend = {
  loginInfo: () => call<StaffLoginInfo>('staff_login_info'),
  login: (credential) => call<StaffLoginVerdict>('staff_login', { credential }),
  logout: (session) => call<void>('staff_logout', { session }),
  session: (session) => call<StaffSession>('staff_session', { session }),
  orders: (session) => call<StaffOrdersView>('staff_orders', { session }),
  order: (session, order) => call<StaffOrderDetail>('staff_order', { session, order }),
  retrySend: (session, checkoutId) => call<StaffOutcome>('staff_retry_send', { session, checkoutId }),
  markHandled: (session, checkoutId, reason) =>
    call<StaffOutcome>('staff_mark_handled', { session, checkoutId, reason }),
  refund: (session, checkoutId) => call<StaffOutcome>('staff_refund', { session, checkoutId }),
  printNumber: (session, order) => call<StaffOutcome>('staff_print_number', { session, order }),
  lock: (session, posOrderId) => call<StaffOutcome>('staff_lock', { session, posOrderId }),
  unlock: (session, posOrderId) => call<StaffOutcome>('staff_unlock', { session, posOrderId }),
  addDishes: (session, posOrderId, lines) => call<StaffOutcome>('staff_add_dishes', { session, posOrderId, lines }),
  printBill: (session, posOrderId) => call<StaffOutcome>('staff_print_bill', { session, posOrderId }),
  addClient: (session, posOrderId, code) => call<StaffOutcome>('staff_add_client', { session, posOrderId, code }),
  close: (session, posOrderId, payment) => call<StaffOutcome>('staff_close', { session, posOrderId, payment }),
  printInfo: (session, posOrderId) => call<StaffOutcome>('staff_print_info', { session, posOrderId }),
  menu: () => kioskBackend().menu(),
  onEvent: (handler) => listen<StaffEvent>('staff-event', (e) => handler(e.payload)),
};

let active: StaffBackend | null = null;

/** The staff backend in use: Tauri inside the app, otherwise the fake (built on first use). */
export function staffBackend(): StaffBackend {
  if (!active) {
    active = isTauri()
      ? tauriStaffBackend
      : createFakeStaffBackend(typeof location === 'undefined' ? {} : fakeStaffOptionsFromUrl(location.search));
  }
  return active;
}

/** Replaces the staff backend (tests, demos). Returns the previous one. */
export function useStaffBackend(next: StaffBackend | null): StaffBackend | null {
  const previous = active;
  active = next;
  return previous;
}
