// The staff tablet on Jupiter (JPOS simulator), in the real window at 1280x800: login by card
// (a wrong password refused), a lock held by another staff device shown and never overridden,
// then an order taken for editing, dishes added from the menu, a loyalty guest with the discount
// Jupiter gives, the bill, the release; the refund of an order Jupiter totals differently from
// what the kiosk charged; printing the number, which the printer simulator records. The
// simulators are checked after each action.
//
// The other device is kioskctl with its own data folder, logged in as Пикаров (Jupiter keeps
// locks per user, so his lock stands after the process exits). One app session serves the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startSim, staffKiosk, addStaffMember, kioskctl, kioskctlOk, cartFile, openStaff, waitFor, waitAttr,
  tap, until, read, screenshot, layoutOffenders, gone, typeInto, kop, JUPITER,
  startPrinterSim, withPrinter, slipShowsNumber, staffAct, staffOutcome, staffHistory,
} from '../lib.mjs';

let sim;
let printer;
let kiosk;
let browser;
let product;
let mismatch;
let table5;
let table7;
/** Трофимова's member id on the tablet (`jpos-…`), as its history names her. */
let trofimovaId;

/** The simulator's copy of an order (with `locked_by`, `bill_printed`, `client`). */
async function jposOrder(uid) {
  const all = await sim.admin('GET', '/_sim/orders');
  const o = all.orders.find((x) => x.uid === uid || x.jupiter_uid === uid);
  assert.ok(o, `no order ${uid}`);
  return o;
}

/** A product of the menu that needs no choices: `{ uid, name }`. */
function plainProduct(doc) {
  const soldOut = new Set(doc.sold_out ?? []);
  for (const s of doc.menu.menuSections) {
    for (const b of s.buttons ?? []) {
      if (b.type === 'product' && (b.options?.modifiers ?? []).length === 0 && !soldOut.has(b.uid)) {
        return { uid: b.uid, name: b.name };
      }
    }
  }
  throw new Error('the Jupiter demo menu has no product without choices');
}

before(async () => {
  sim = await startSim('jupiter');
  printer = await startPrinterSim();
  kiosk = staffKiosk(sim, { pos: 'jupiter' });
  withPrinter(kiosk.file, printer);
  // Jupiter returns no names: the tablet's settings name its users by the id `whoami` shows.
  const who = kioskctlOk(kiosk, ['staff', '--password-env', 'E2E_PW', 'whoami'], { env: { E2E_PW: JUPITER.trofimova.password } });
  trofimovaId = who.staff.id;
  addStaffMember(kiosk, trofimovaId, JUPITER.trofimova.name);
  product = plainProduct(await sim.admin('GET', '/_sim/menu'));

  // Jupiter applies a discount the kiosk's menu prices do not know: the paid order is left open
  // at another total and handed to staff.
  await sim.admin('POST', '/_sim/config', { discounts: [{ name: 'Скидка кассы 10%', percent: '10' }] });
  const r = kioskctl(kiosk, ['order', '--cart', cartFile(kiosk, [{ dish: product.uid, qty: 2, modifiers: [] }]), '--pay', 'simulator']);
  mismatch = r.json;
  assert.equal(mismatch?.state, 'needs_staff', r.stderr);
  await sim.admin('POST', '/_sim/config', { discounts: [] });

  // Two orders opened at the cash desk by Трофимова.
  const open = async (name) =>
    (await sim.admin('POST', '/_sim/orders', { owner: JUPITER.trofimova.uid, name, lines: [{ product_uid: product.uid, quantity: '1' }] })).uid;
  table5 = await open('Стол 5');
  table7 = await open('Стол 7');
  // Another staff device: Пикаров takes Стол 7 for editing.
  kioskctlOk(kiosk, ['staff', '--password-env', 'E2E_PW', 'lock', '--order', table7], {
    env: { E2E_PW: JUPITER.pikarov.password },
    dataDir: join(kiosk.dir, 'tablet-b'),
  });
  assert.equal((await jposOrder(table7)).locked_by, JUPITER.pikarov.uid);

  browser = await openStaff(kiosk);
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
  await printer?.stop();
});

const row = (key) => `staff-row-${key}`;

async function open(key) {
  await tap(browser, row(key));
  await waitAttr(browser, 'staff-detail', 'data-key', key);
}

const act = (action, opts) => staffAct(browser, action, opts);
const outcomeOf = (action, expected) => staffOutcome(browser, action, expected);
/** What staff did to the open order: `[what, staff]`, oldest first. */
const staffDid = () => staffHistory(browser, 'staff');

test('a wrong password is refused; Трофимова logs in with her card', async () => {
  await waitFor(browser, 'login-password', 30000);
  await typeInto(browser, 'login-password', '99999');
  await tap(browser, 'pin-submit');
  await waitAttr(browser, 'login-message', 'data-kind', 'wrong');

  await tap(browser, 'login-method-card');
  await typeInto(browser, 'login-card', JUPITER.trofimova.card);
  await screenshot(browser, 'staff-login-jupiter', { docs: true });
  assert.deepEqual(await layoutOffenders(browser), []);
  await tap(browser, 'login-submit');
  await waitFor(browser, 'staff-desk');
  assert.equal((await read(browser, 'staff-user')).text, JUPITER.trofimova.name);
});

test('her open orders and the order Jupiter totals differently are listed, the problem first', async () => {
  await waitAttr(browser, 'staff-problems', 'data-count', '1');
  const p = await read(browser, row(mismatch.checkout_id));
  assert.equal(p.data.problem, 'total_mismatch');
  assert.equal((await read(browser, row(table5))).data.number, 'Стол 5');
  assert.equal((await read(browser, row(table7))).data.number, 'Стол 7');
});

test('a lock held on another staff device is shown and never overridden', async () => {
  await open(table7);
  const out = await act('lock', { outcome: 'lock_refused' });
  assert.equal(out.tone, 'warn');
  assert.equal((await jposOrder(table7)).locked_by, JUPITER.pikarov.uid, 'Пикаров still holds it');
  assert.equal((await read(browser, 'detail-lock')), null, 'the tablet holds nothing');
  await waitFor(browser, 'action-lock');
  for (const a of ['add_dishes', 'print_bill', 'add_client']) assert.equal(await read(browser, `action-${a}`), null);
  await screenshot(browser, 'staff-lock-conflict', { docs: true });
  assert.deepEqual(await layoutOffenders(browser), []);
  const her = `${JUPITER.trofimova.name} (${trofimovaId})`;
  assert.deepEqual(await staffDid(), [
    ['lock', her],
    ['lock.failed', her],
  ]);
});

test('an order taken for editing gets dishes, a loyalty guest with its discount and the bill, then is released', async () => {
  await open(table5);
  await act('lock', { outcome: 'locked' });
  await waitAttr(browser, 'detail-lock', 'data-mine', 'true');
  assert.equal((await jposOrder(table5)).locked_by, JUPITER.trofimova.uid);
  const linesBefore = (await jposOrder(table5)).order.order_line.length;
  const totalBefore = (await read(browser, 'detail-total')).data.total;

  await tap(browser, 'action-add_dishes');
  await waitFor(browser, 'dishes-dialog');
  await typeInto(browser, 'dishes-search', product.name);
  await tap(browser, `dish-${product.uid}`);
  await tap(browser, `dish-${product.uid}`);
  await waitAttr(browser, `chosen-${product.uid}`, 'data-qty', '2');
  await screenshot(browser, 'staff-add-dishes', { docs: true });
  assert.deepEqual(await layoutOffenders(browser), []);
  await tap(browser, 'dishes-submit');
  await outcomeOf('add_dishes', 'updated');
  await gone(browser, 'dishes-dialog');
  const lines = (await jposOrder(table5)).order.order_line;
  assert.equal(lines.length, linesBefore + 1, 'one new line');
  const totalAfter = (await read(browser, 'detail-total')).data.total;
  assert.ok(kop(totalAfter) > kop(totalBefore), `${totalAfter} > ${totalBefore}`);

  await tap(browser, 'action-add_client');
  await waitFor(browser, 'client-dialog');
  for (const k of '1234') await tap(browser, `client-key-${k}`);
  await tap(browser, 'client-submit');
  await outcomeOf('add_client', 'client_added');
  const result = await read(browser, 'client-result');
  assert.ok(kop(result.data.after) < kop(totalAfter), `the discount lowers the total: ${result.text}`);
  const discount = await read(browser, 'client-discount');
  assert.ok(discount.data.amount.startsWith('-'), discount.text);
  assert.match((await read(browser, 'detail-client')).text, /Святослав/);
  assert.equal((await jposOrder(table5)).client, '1234');
  await screenshot(browser, 'staff-jupiter-order', { docs: true });
  assert.deepEqual(await layoutOffenders(browser), []);

  await act('print_bill', { outcome: 'updated' });
  assert.equal((await jposOrder(table5)).bill_printed, true);
  const prints = await sim.admin('GET', '/_sim/prints');
  assert.ok(prints.prints.some((p) => p.kind === 'bill'), JSON.stringify(prints));

  await act('unlock', { outcome: 'unlocked' });
  assert.equal((await jposOrder(table5)).locked_by, null);
  await gone(browser, 'action-add_dishes');

  assert.deepEqual(
    (await staffDid()).map(([w]) => w),
    ['lock', 'lock.ok', 'add_dishes', 'add_dishes.ok', 'add_client', 'add_client.ok', 'print_bill', 'print_bill.ok', 'unlock', 'unlock.ok'],
  );
  assert.ok((await staffDid()).every(([, who]) => who.startsWith(JUPITER.trofimova.name)));
});

test('the order Jupiter totals differently is refunded; the order stays open in Jupiter', async () => {
  await open(mismatch.checkout_id);
  assert.match((await read(browser, 'detail-problem')).text, /Jupiter totals order/);
  await act('refund', { confirm: true, outcome: 'refunded' });
  const refunded = (await sim.payments()).filter((p) => p.refunds.length > 0);
  assert.equal(refunded.length, 1);
  assert.equal(kop(refunded[0].refunds[0].amount), kop(mismatch.total));
  await waitAttr(browser, row(mismatch.checkout_id), 'data-handled', 'true');
  assert.equal((await read(browser, row(mismatch.checkout_id))).data.problem, '');
  assert.notEqual((await jposOrder(mismatch.pos_order_id)).closed, true, 'never closed silently');
});

test('printing the number of a cash-desk order prints it on the kiosk printer; logging out returns to the login', async () => {
  await open(table5);
  const before = (await printer.slips()).length;
  await act('print_number', { outcome: 'printed' });
  // Jupiter's own order has no slip of the kiosk's: a slip with its number alone.
  const slips = await printer.slips();
  assert.equal(slips.length, before + 1, 'one slip printed');
  const text = slips.at(-1).text;
  assert.ok(slipShowsNumber(text, 'Стол 5'), `the order's number on the slip:\n${text}`);
  await waitAttr(browser, 'staff-detail', 'data-key', table5);
  const her = `${JUPITER.trofimova.name} (${trofimovaId})`;
  const printed = await until(browser, () => document.querySelector('[data-testid="history-entry"][data-what="print_number.ok"]')?.dataset.staff ?? null, [], {
    message: 'the print in the history',
  });
  assert.equal(printed, her);
  await tap(browser, 'staff-logout');
  await waitFor(browser, 'staff-login');
});
