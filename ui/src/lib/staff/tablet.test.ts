import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeStaffBackend, type FakeStaffBackend } from './ipc.fake';
import { StaffTablet } from './tablet.svelte';

let tablet: StaffTablet | null = null;

afterEach(() => {
  tablet?.dispose();
  tablet = null;
  vi.useRealTimers();
});

async function booted(fake: FakeStaffBackend, lang = 'ru'): Promise<StaffTablet> {
  tablet = new StaffTablet(fake, { lang });
  await tablet.boot();
  return tablet;
}

async function loggedIn(fake: FakeStaffBackend): Promise<StaffTablet> {
  const t = await booted(fake);
  const ok = await t.login(fake.options.pos === 'jupiter' ? { kind: 'password', password: '11112' } : { kind: 'pin', pin: '1111' });
  expect(ok).toBe(true);
  await t.refresh();
  return t;
}

const rowOf = (t: StaffTablet, key: string) => t.rows.find((r) => (r.checkout_id ?? r.pos_order_id) === key)!;

describe('staff login', () => {
  it('shows the login with the POS’s method, refuses a wrong PIN with the attempts left, then opens the desk', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await booted(fake);
    expect(t.screen).toBe('login');
    expect(t.info?.methods).toEqual(['pin']);
    expect(await t.login({ kind: 'pin', pin: '9999' })).toBe(false);
    expect(t.loginMessage).toEqual({ kind: 'wrong', left: 4 });
    expect(await t.login({ kind: 'pin', staff_id: 'boris', pin: '1111' })).toBe(false);
    expect(await t.login({ kind: 'pin', staff_id: 'anna', pin: '1111' })).toBe(true);
    expect(t.screen).toBe('desk');
    expect(t.session?.staff.name).toBe('Анна (демо)');
    expect(t.loginMessage).toBeNull();
  });

  it('counts the lockout down and refuses to try while it lasts', async () => {
    vi.useFakeTimers();
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await booted(fake);
    for (let i = 0; i < 5; i++) await t.login({ kind: 'pin', pin: '0000' });
    expect(t.loginMessage).toEqual({ kind: 'locked_out' });
    expect(t.retryIn).toBe(60);
    expect(await t.login({ kind: 'pin', pin: '1111' })).toBe(false);
    expect(fake.calls.filter((c) => c === 'login')).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.retryIn).toBe(0);
  });

  it('logs in to Jupiter by password or card', async () => {
    const fake = createFakeStaffBackend({ latency: 0, pos: 'jupiter' });
    const t = await booted(fake);
    expect(t.info?.methods).toEqual(['password', 'card']);
    expect(await t.login({ kind: 'card', track: ';7001234567=0000?' })).toBe(true);
    expect(t.session?.staff.name).toBe('Трофимова В.А.');
    expect(t.session?.capabilities.lock).toBe(true);
  });
});

describe('the order list', () => {
  it('lists problems first and follows pushed changes', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    expect(t.list?.problems.map((r) => r.problem?.kind)).toEqual(['needs_staff', 'unpaid_at_counter']);
    expect(t.list?.orders.map((r) => r.number)).toEqual(['118']);
    const reads = fake.calls.filter((c) => c === 'orders').length;
    fake.emit({ kind: 'orders_changed', revision: 99 });
    await t.refresh();
    expect(fake.calls.filter((c) => c === 'orders').length).toBeGreaterThan(reads);
  });

  it('coalesces refreshes asked for during a read into one more', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    const before = fake.calls.filter((c) => c === 'orders').length;
    const all = [t.refresh(), t.refresh(), t.refresh(), t.refresh()];
    await Promise.all(all);
    expect(fake.calls.filter((c) => c === 'orders').length - before).toBe(2);
  });

  it('grows ages between reads', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    const r = t.list!.orders[0];
    t.now = (t.listAt ?? 0) + 120_000;
    expect(t.ageOf(r)).toBe((r.age_s ?? 0) + 120);
  });
});

describe('actions', () => {
  it('refunds a problem order after asking, then shows it settled', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    await t.select(rowOf(t, 'c-101'));
    expect(t.detail?.row.actions).toEqual(['retry_send', 'refund', 'mark_handled', 'print_number']);
    t.request('refund');
    expect(t.dialog).toEqual({ kind: 'confirm', action: 'refund' });
    const out = await t.run('refund');
    expect(out?.kind).toBe('refunded');
    expect(t.dialog).toBeNull();
    expect(t.notice).toMatchObject({ tone: 'ok', kind: 'refunded' });
    await t.refresh();
    expect(rowOf(t, 'c-101').problem).toBeNull();
    expect(rowOf(t, 'c-101').handled?.by).toContain('Анна');
    expect(t.detail?.history.map((h) => h.what).slice(-3)).toEqual(['refund', 'mark_handled', 'refund.ok']);
  });

  it('marks an unpaid order handled with the reason, and closes a ProCart order', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    await t.select(rowOf(t, 'c-102'));
    t.request('mark_handled');
    expect(t.dialog).toEqual({ kind: 'mark_handled' });
    await t.run('mark_handled', { reason: 'Гость оплатил на кассе' });
    expect(t.notice?.kind).toBe('handled');
    await t.refresh();
    expect(rowOf(t, 'c-102').handled?.reason).toBe('Гость оплатил на кассе');
    await t.select(rowOf(t, 'c-103'));
    t.request('close');
    await t.run('close');
    expect(t.notice?.kind).toBe('closed');
    t.request('print_info');
    await vi.waitFor(() => expect(t.dialog?.kind).toBe('print_info'));
  });

  it('says a number was not printed when there is no printer', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    await t.select(rowOf(t, 'c-103'));
    await t.run('print_number');
    expect(t.notice).toMatchObject({ tone: 'warn', kind: 'no_printer' });
  });

  it('locks a Jupiter order before editing, shows a lock held elsewhere, and adds a loyalty guest', async () => {
    const fake = createFakeStaffBackend({ latency: 0, pos: 'jupiter' });
    const t = await loggedIn(fake);
    // Held by another member on this kiosk: nothing to do but print its number.
    expect(rowOf(t, '4:1:0:90002').locked_by).toBe('Пикаров Б.К.');
    expect(rowOf(t, '4:1:0:90002').actions).toEqual(['print_number']);
    // Held on another device: the POS refuses, and the refusal is shown.
    await t.select(rowOf(t, '4:1:0:90007'));
    await t.run('lock');
    expect(t.notice).toMatchObject({ tone: 'warn', kind: 'lock_refused' });
    expect(t.detail?.lock).toBeNull();

    await t.select(rowOf(t, '4:1:0:90005'));
    await t.run('lock');
    expect(t.detail?.lock?.mine).toBe(true);
    expect(t.detail?.row.actions).toEqual(['add_dishes', 'print_bill', 'add_client', 'unlock', 'print_number']);
    await t.run('add_client', { code: '1234' });
    expect(t.clientResult?.client?.name).toBe('Святослав');
    expect(t.clientResult?.discounts[0].amount).toMatch(/^-/);
    expect(t.detail?.quote?.adjustments).toHaveLength(1);
    t.request('add_dishes');
    await vi.waitFor(() => expect(t.menu).not.toBeNull());
    await t.run('add_dishes', { lines: [{ dish: 'd-cola', qty: 2, modifiers: [] }] });
    expect(t.notice?.kind).toBe('updated');
    expect(t.detail?.quote?.lines.at(-1)).toMatchObject({ dish: 'd-cola', qty: 2 });
    await t.run('unlock');
    expect(t.clientResult).toBeNull();
    await t.refresh();
    expect(rowOf(t, '4:1:0:90005').actions).toEqual(['lock', 'print_number']);
  });

  it('shows an error from the core by its code', async () => {
    const fake = createFakeStaffBackend({ latency: 0, pos: 'jupiter' });
    const t = await loggedIn(fake);
    await t.select(rowOf(t, '4:1:0:90005'));
    await t.run('lock');
    await t.run('add_client', { code: '0000' });
    expect(t.notice).toMatchObject({ tone: 'error', kind: 'error' });
  });
});

describe('the session', () => {
  it('warns before the auto-logout, keeps the session on a touch, and logs out after the idle time', async () => {
    vi.useFakeTimers();
    const fake = createFakeStaffBackend({ latency: 0, idleLogoutS: 60 });
    const t = await loggedIn(fake);
    await vi.advanceTimersByTimeAsync(39_000);
    expect(t.idle.phase).toBe('watching');
    t.touch();
    await vi.advanceTimersByTimeAsync(6_000);
    expect(fake.calls.filter((c) => c === 'session').length).toBeGreaterThanOrEqual(2);
    await vi.advanceTimersByTimeAsync(34_500);
    expect(t.idle.phase).toBe('asking');
    expect(t.screen).toBe('desk');
    await vi.advanceTimersByTimeAsync(20_500);
    expect(t.screen).toBe('login');
    expect(t.loginMessage).toEqual({ kind: 'idle' });
    expect(fake.calls).toContain('logout');
  });

  it('reports touches to the core at most every few seconds', async () => {
    vi.useFakeTimers();
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    const before = fake.calls.filter((c) => c === 'session').length;
    for (let i = 0; i < 20; i++) {
      t.touch();
      await vi.advanceTimersByTimeAsync(500);
    }
    const sent = fake.calls.filter((c) => c === 'session').length - before;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(3);
  });

  it('goes back to the login when the core ends the session', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    fake.expire(t.session!.session);
    expect(t.screen).toBe('login');
    expect(t.loginMessage).toEqual({ kind: 'idle' });
  });

  it('goes back to the login when a command finds the session gone', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    await t.select(rowOf(t, 'c-103'));
    // The session disappears without an event (the core restarted).
    fake.drop(t.session!.session);
    expect(await t.run('print_number')).toBeNull();
    expect(t.screen).toBe('login');
    expect(t.loginMessage).toEqual({ kind: 'ended' });
  });

  it('logs out on request and frees the screen', async () => {
    const fake = createFakeStaffBackend({ latency: 0 });
    const t = await loggedIn(fake);
    await t.logout();
    expect(t.screen).toBe('login');
    expect(t.loginMessage).toBeNull();
    expect(t.list).toBeNull();
  });
});
