// The staff tablet on r_keeper (ProCart simulator), in the real window at 1280x800: PIN login
// (a wrong PIN refused), problems first, a refund of a problem order that the simulated terminal
// records, a resend that creates the order exactly once, an order paid at the counter settled,
// its comment read and closed with the counter payment, printing the number (a copy of the
// slip that the printer simulator records), a printer out of paper shown above the list, a
// change made in the POS showing without a tap, and the auto-logout of an untouched tablet.
// Each action's history says who did it.
//
// The problem orders are made the way they happen in the field, by the same engine (kioskctl) on
// the tablet's journal: the POS refuses the paid order, the kiosk dies while refunding
// (crash point), and when it resumes the terminal cannot be reached, so the refund is handed to
// staff. One app session serves the whole file. The tablet prints on the ESC/POS printer
// simulator (a second process on loopback), as a kiosk's receipt printer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, staffKiosk, addStaffMember, setStaffSetting, kioskctl, kioskctlOk, cartFile, plainDish,
  openStaff, waitFor, waitAttr, tap, until, read, screenshot, layoutOffenders, gone, kop,
  startPrinterSim, withPrinter, slipShowsNumber, staffAct, staffHistory, staffOutcome,
} from '../lib.mjs';

let sim;
let printer;
let kiosk;
let browser;
/** Checkouts handed to staff (refund could not be confirmed), one paid at the counter, one paid. */
let refundCase;
let resendCase;
let counter;
let paid;

before(async () => {
  sim = await startSim('procart');
  printer = await startPrinterSim();
  kiosk = staffKiosk(sim);
  withPrinter(kiosk.file, printer);
  addStaffMember(kiosk, 'anna', 'Анна К.', '1111');
  addStaffMember(kiosk, 'boris', 'Борис Л.', '2222');
  // The shortest session the settings allow, so the auto-logout is seen in this run.
  setStaffSetting(kiosk, 'idle_logout_s', 30);

  const dish = plainDish(await sim.menu());
  const cart = cartFile(kiosk, [{ dish: dish.code, qty: 2, modifiers: [] }]);
  // The POS refuses the paid orders; the kiosk dies having journaled the refund...
  await sim.fault({ method: 'postorder', kind: 'http_error', status: 400 });
  for (let i = 0; i < 2; i++) {
    const r = kioskctl(kiosk, ['order', '--cart', cart, '--pay', 'simulator'], { crashAt: 'after_refunding_write' });
    assert.equal(r.signal, 'SIGKILL', `the order run should die at its crash point: ${r.stderr}`);
  }
  await sim.clearFaults();
  // ...and resumes with the terminal out of reach: the refunds go to staff.
  const resumed = kioskctlOk(kiosk, ['resume', '--timeout-s', '30', '--pay-url', 'http://127.0.0.1:9']);
  const waiting = resumed.checkouts.filter((c) => c.state === 'needs_staff');
  assert.equal(waiting.length, 2, JSON.stringify(resumed));
  [refundCase, resendCase] = waiting;

  counter = kioskctlOk(kiosk, ['order', '--cart', cartFile(kiosk, [{ dish: dish.code, qty: 1, modifiers: [] }], 'eat_in'), '--pay', 'counter']);
  paid = kioskctlOk(kiosk, ['order', '--cart', cartFile(kiosk, [{ dish: dish.code, qty: 3, modifiers: [] }]), '--pay', 'simulator']);
  assert.equal(paid.state, 'posted');

  browser = await openStaff(kiosk);
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
  await printer?.stop();
});

const row = (checkoutId) => `staff-row-${checkoutId}`;

const history = (kind) => staffHistory(browser, kind);
const act = (action, opts) => staffAct(browser, action, opts);

async function open(checkoutId) {
  await tap(browser, row(checkoutId));
  await waitAttr(browser, 'staff-detail', 'data-key', checkoutId);
}

test('a wrong PIN is refused; Анна logs in with hers', async () => {
  await waitFor(browser, 'staff-login', 30000);
  await waitFor(browser, 'staff-member-anna');
  await screenshot(browser, 'staff-login', { docs: true });
  assert.deepEqual(await layoutOffenders(browser), []);
  for (const d of '9999') await tap(browser, `pin-key-${d}`);
  await tap(browser, 'pin-submit');
  await waitAttr(browser, 'login-message', 'data-kind', 'wrong');

  await tap(browser, 'staff-member-anna');
  for (const d of '1111') await tap(browser, `pin-key-${d}`);
  await tap(browser, 'pin-submit');
  await waitFor(browser, 'staff-desk');
  assert.equal((await read(browser, 'staff-user')).text, 'Анна К.');
  // The touch keep-alive is allowed in the real window (the core answers, not the permission
  // check), and refuses a session it does not know.
  const answer = await browser.executeAsync((done) =>
    window.__TAURI_INTERNALS__.invoke('staff_session', { session: 'no-such-session' }).then(() => done('granted'), (e) => done(e)),
  );
  assert.equal(answer?.code, 'not_authorized', JSON.stringify(answer));
});

test('problem orders come first, with what is wrong', async () => {
  await waitAttr(browser, 'staff-problems', 'data-count', '3');
  for (const c of [refundCase, resendCase]) {
    const r = await read(browser, row(c.checkout_id));
    assert.equal(r.data.problem, 'needs_staff', JSON.stringify(r));
    assert.equal(r.data.state, 'needs_staff');
  }
  assert.equal((await read(browser, row(counter.checkout_id))).data.problem, 'unpaid_at_counter');
  const ok = await read(browser, row(paid.checkout_id));
  assert.equal(ok.data.problem, '');
  assert.equal(ok.data.status, 'open');
  assert.equal(ok.data.total, paid.total);
  // In the problems section, before the other orders.
  const order = await browser.execute(() => Array.from(document.querySelectorAll('[data-testid^="staff-row-"]')).map((e) => e.dataset.key));
  assert.ok(order.indexOf(paid.checkout_id) > order.indexOf(counter.checkout_id), order.join());
  await open(refundCase.checkout_id);
  const problem = await read(browser, 'detail-problem');
  assert.match(problem.text, /refund could not be confirmed/);
  await screenshot(browser, 'staff-orders', { docs: true });
  assert.deepEqual(await layoutOffenders(browser), []);
});

test('a problem order is refunded through the terminal, once, and the history says by whom', async () => {
  await open(refundCase.checkout_id);
  await tap(browser, 'action-refund');
  const confirm = await read(browser, 'staff-confirm');
  assert.match(confirm.text, /вернутся/);
  await screenshot(browser, 'staff-refund-confirm', { docs: true });
  await tap(browser, 'staff-confirm-yes');
  await staffOutcome(browser, 'refund', 'refunded');

  const refunded = (await sim.payments()).filter((p) => p.refunds.length > 0);
  assert.equal(refunded.length, 1, JSON.stringify(refunded));
  assert.equal(kop(refunded[0].refunds[0].amount), kop(refundCase.total));
  assert.equal(kop(refunded[0].charged), 0);

  await waitAttr(browser, row(refundCase.checkout_id), 'data-handled', 'true');
  assert.equal((await read(browser, row(refundCase.checkout_id))).data.problem, '');
  await gone(browser, 'action-refund');
  await waitFor(browser, 'detail-handled');
  const h = await history();
  const mine = h.filter(([, who]) => who.startsWith('Анна К.')).map(([what]) => what);
  assert.deepEqual(mine, ['refund', 'mark_handled', 'refund.ok']);
  assert.ok(h.some(([what]) => what === 'needs_staff'), 'the checkout’s own steps are there too');
  await screenshot(browser, 'staff-refunded', { docs: true });
});

test('sending again looks the order up first and creates it exactly once', async () => {
  const before = await sim.orders();
  await open(resendCase.checkout_id);
  await act('retry_send', { confirm: true, outcome: 'sent' });
  const after = await sim.orders();
  assert.equal(after.length, before.length + 1);
  const created = after.find((o) => !before.some((b) => b.guid === o.guid));
  const paidSum = (created.payments ?? []).reduce((s, p) => s + kop(String(p.amount)), 0);
  assert.equal(paidSum, kop(resendCase.total), 'sent with the payment the kiosk took');
  await waitAttr(browser, row(resendCase.checkout_id), 'data-handled', 'true');
  await gone(browser, 'action-retry_send');
  assert.deepEqual(
    (await history()).filter(([w]) => w.startsWith('retry_send')).map(([w, who]) => `${w} ${who}`),
    ['retry_send Анна К. (anna)', 'retry_send.ok Анна К. (anna)'],
  );
  // The POS has it once, whatever happens next.
  assert.equal((await sim.orders()).length, after.length);
});

test('an order to be paid at the counter is settled, its comment read and closed with the payment', async () => {
  await open(counter.checkout_id);
  await tap(browser, 'action-mark_handled');
  await waitFor(browser, 'handled-dialog');
  await tap(browser, 'handled-quick-2');
  await tap(browser, 'handled-submit');
  await staffOutcome(browser, 'mark_handled', 'handled');
  await waitFor(browser, 'detail-handled');
  assert.match((await read(browser, 'detail-handled')).text, /Анна К\.: Гость оплатил на кассе/);
  await waitAttr(browser, row(counter.checkout_id), 'data-problem', '');

  await act('print_info', { outcome: 'print_info' });
  const text = (await read(browser, 'print-info-text')).text;
  const inPos = (await sim.orders()).find((o) => o.guid === counter.pos_order_id);
  assert.equal(text.replace(/\s+/g, ' '), (inPos.comment ?? '').replace(/\s+/g, ' ').trim() || 'Комментарий пуст');
  await tap(browser, 'print-info-close');
  await gone(browser, 'print-info-dialog');

  await act('close', { confirm: true, outcome: 'closed' });
  const closed = (await sim.orders()).find((o) => o.guid === counter.pos_order_id);
  assert.equal(closed.status, 'close');
  const paidSum = (closed.payments ?? []).reduce((s, p) => s + kop(String(p.amount)), 0);
  assert.equal(paidSum, kop(counter.total), 'the counter payment is recorded');
  await waitAttr(browser, row(counter.checkout_id), 'data-status', 'closed');
});

/** Waits until the open order's history has an entry `what` of `kind`; returns `[what, staff]`. */
async function inHistory(kind, what) {
  await until(browser, (k, w) => !!document.querySelector(`[data-testid="history-entry"][data-kind="${k}"][data-what="${w}"]`), [kind, what], {
    message: `${kind} ${what} in the history`,
  });
  return (await history(kind)).filter(([w]) => w === what).at(-1);
}

test('printing the number prints a copy of the slip; a printer out of paper is shown above the list', async () => {
  await open(paid.checkout_id);
  const number = (await read(browser, row(paid.checkout_id))).data.number;
  const before = (await printer.slips()).length;
  await act('print_number', { outcome: 'printed' });
  // The printer got the order's slip again, marked as a copy, with the number the guest is called by.
  const slips = await printer.slips();
  assert.equal(slips.length, before + 1, 'one slip printed');
  const text = slips.at(-1).text;
  assert.ok(slipShowsNumber(text, number), `number ${number} on the slip:\n${text}`);
  assert.match(text, /КОПИЯ/, text);
  assert.deepEqual(await inHistory('printer', 'reprint.printed'), ['reprint.printed', 'Анна К.']);
  assert.deepEqual(await inHistory('staff', 'print_number.ok'), ['print_number.ok', 'Анна К. (anna)']);
  assert.equal(await read(browser, 'staff-printer-alert'), null, 'no alert while the printer works');

  // The roll runs out: the print fails and says so, nothing reaches the paper, and the alert
  // above the list says what is wrong and what to do.
  await printer.setMode('paper_out');
  const failed = await act('print_number', { outcome: 'error' });
  assert.match(failed.text, /Принтер не напечатал/);
  await waitAttr(browser, 'staff-printer-alert', 'data-problem', 'paper_out');
  const alert = await read(browser, 'staff-printer-alert');
  assert.match(alert.text, /закончилась бумага/);
  assert.match(alert.text, /новый рулон/);
  assert.equal((await printer.slips()).length, before + 1, 'nothing printed without paper');
  assert.deepEqual(await inHistory('printer', 'reprint.failed'), ['reprint.failed', 'Анна К.']);
  await screenshot(browser, 'staff-printer-alert', { docs: true });
  assert.deepEqual(await layoutOffenders(browser), []);

  // A new roll: the copy prints and the alert goes.
  await printer.setMode('ready');
  await act('print_number', { outcome: 'printed' });
  await gone(browser, 'staff-printer-alert');
  assert.equal((await printer.slips()).length, before + 2);
});

test('the list follows the POS unasked, and an untouched tablet warns, then logs out by itself', async () => {
  // The cashier prints the bill in r_keeper: no tap on the tablet from here on.
  await sim.admin('POST', `/_sim/orders/${encodeURIComponent(paid.pos_order_id)}/precheck`);
  await waitAttr(browser, row(paid.checkout_id), 'data-status', 'bill', 19000);
  await waitFor(browser, 'staff-idle-warning', 30000);
  await screenshot(browser, 'staff-idle', { docs: true });
  await waitAttr(browser, 'login-message', 'data-kind', 'idle', 20000);
  await gone(browser, 'staff-desk');
});
