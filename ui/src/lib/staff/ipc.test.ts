import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const listen = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {},
}));
vi.mock('@tauri-apps/api/event', () => ({
  listen: (...args: unknown[]) => listen(...args),
}));

const staff = await import('./ipc');
const { fakeStaffOptionsFromUrl } = await import('./ipc.fake');
const { createFakeBackend, fakeOptionsFromUrl } = await import('../ipc.fake');

afterEach(() => {
  invoke.mockReset();
  listen.mockReset();
  staff.useStaffBackend(null);
});

describe('the staff Tauri backend', () => {
  it('calls the 17 staff commands with the argument names the shell declares', async () => {
    invoke.mockResolvedValue({});
    const b = staff.tauriStaffBackend;
    const ref = { kind: 'checkout' as const, checkout_id: 'c1' };
    const lines = [{ dish: 'd1', qty: 2, modifiers: [] }];
    await b.loginInfo();
    await b.login({ kind: 'pin', pin: '1111' });
    await b.logout('s');
    await b.session('s');
    await b.orders('s');
    await b.order('s', ref);
    await b.retrySend('s', 'c1');
    await b.markHandled('s', 'c1', 'paid in cash');
    await b.refund('s', 'c1');
    await b.printNumber('s', ref);
    await b.lock('s', 'p1');
    await b.unlock('s', 'p1');
    await b.addDishes('s', 'p1', lines);
    await b.printBill('s', 'p1');
    await b.addClient('s', 'p1', '1234');
    await b.close('s', 'p1', null);
    await b.printInfo('s', 'p1');
    expect(invoke.mock.calls).toEqual([
      ['staff_login_info', undefined],
      ['staff_login', { credential: { kind: 'pin', pin: '1111' } }],
      ['staff_logout', { session: 's' }],
      ['staff_session', { session: 's' }],
      ['staff_orders', { session: 's' }],
      ['staff_order', { session: 's', order: ref }],
      ['staff_retry_send', { session: 's', checkoutId: 'c1' }],
      ['staff_mark_handled', { session: 's', checkoutId: 'c1', reason: 'paid in cash' }],
      ['staff_refund', { session: 's', checkoutId: 'c1' }],
      ['staff_print_number', { session: 's', order: ref }],
      ['staff_lock', { session: 's', posOrderId: 'p1' }],
      ['staff_unlock', { session: 's', posOrderId: 'p1' }],
      ['staff_add_dishes', { session: 's', posOrderId: 'p1', lines }],
      ['staff_print_bill', { session: 's', posOrderId: 'p1' }],
      ['staff_add_client', { session: 's', posOrderId: 'p1', code: '1234' }],
      ['staff_close', { session: 's', posOrderId: 'p1', payment: null }],
      ['staff_print_info', { session: 's', posOrderId: 'p1' }],
    ]);
  });

  it('normalises every rejection to an IpcError', async () => {
    invoke.mockRejectedValueOnce({ code: 'not_authorized', message: 'log in again' });
    await expect(staff.tauriStaffBackend.orders('s')).rejects.toEqual({ code: 'not_authorized', message: 'log in again' });
    invoke.mockRejectedValueOnce('staff_orders not allowed. Permissions associated with this command: allow-staff-orders');
    await expect(staff.tauriStaffBackend.orders('s')).rejects.toMatchObject({ code: 'internal' });
  });

  it('listens to staff-event and hands over its payload', async () => {
    let registered: ((e: { payload: unknown }) => void) | undefined;
    listen.mockImplementation(async (_name: string, cb: (e: { payload: unknown }) => void) => {
      registered = cb;
      return () => {};
    });
    const seen: unknown[] = [];
    await staff.tauriStaffBackend.onEvent((e) => seen.push(e));
    expect(listen.mock.calls[0][0]).toBe('staff-event');
    registered!({ payload: { kind: 'orders_changed', revision: 7 } });
    expect(seen).toEqual([{ kind: 'orders_changed', revision: 7 }]);
  });

  it('is the in-process fake outside Tauri', async () => {
    const b = staff.staffBackend();
    expect(b).not.toBe(staff.tauriStaffBackend);
    expect((await b.loginInfo()).methods).toEqual(['pin']);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('reads the fake printer from the page address', () => {
    expect(fakeStaffOptionsFromUrl('?printer=1')).toMatchObject({ printer: true, printerProblem: null });
    expect(fakeStaffOptionsFromUrl('?printer=cover_open')).toMatchObject({ printer: true, printerProblem: 'cover_open' });
    expect(fakeStaffOptionsFromUrl('?printer=0')).toMatchObject({ printer: false, printerProblem: null });
    expect(fakeStaffOptionsFromUrl('')).toMatchObject({ printer: false, printerProblem: null });
  });
});

describe('the customer fake in a plain browser', () => {
  it('starts as the device `?mode=` names, the customer kiosk otherwise', async () => {
    const mode = async (search: string) => (await createFakeBackend({ ...fakeOptionsFromUrl(search), latency: 0 }).appInfo()).mode;
    expect(await mode('?mode=staff')).toBe('staff');
    expect(await mode('?mode=board&latency=0')).toBe('board');
    expect(await mode('?mode=admin')).toBe('customer');
    expect(await mode('')).toBe('customer');
  });
});
