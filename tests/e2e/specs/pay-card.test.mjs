// Paying by card on the Sberbank terminal, through the real `sb_pilot` provider driving the
// stand-in binary (same command line, KOI8-R result files): the customer sees the terminal's
// prompts as the payment's progress, in their language; an approved card places the order in
// the POS once, with the terminal's reference number; a declined card takes no money and
// makes no order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startSim, openKioskWith, waitFor, tap, read, dishWithRequiredModifiers, startOrder,
  addDishWithModifiers, posTotal, pay, kop, screenshot, kioskConfigWithPayment, writeSbPilotConfig,
  sbPilotLedger, paymentStatusSeen, watchPaymentStatus,
} from '../lib.mjs';

let sim;
let browser;
let terminal;

before(async () => {
  sim = await startSim();
  // Each prompt stays up long enough for the customer (and the test) to read it.
  terminal = writeSbPilotConfig(join(mkdtempSync(join(tmpdir(), 'sb-pilot-')), 'sb_pilot.json'), {
    scenario: 'approve',
    prompt_delay_ms: 700,
  });
  browser = await openKioskWith(kioskConfigWithPayment(sim, { provider: 'sbpilot', simConfig: terminal }));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

test('a card approved on the terminal places the order, the prompts shown on the way', async () => {
  const pick = dishWithRequiredModifiers(await sim.menu());
  await startOrder(browser, { lang: 'en', orderType: 'takeaway' });
  await addDishWithModifiers(browser, pick);
  const total = await posTotal(browser);
  await watchPaymentStatus(browser);
  await pay(browser);

  // The terminal's own prompts (KOI8-R on its standard output) reach the screen, translated.
  await waitFor(browser, 'screen-payment');
  await paymentStatusSeen(browser, 'Tap or insert your card, or hold your phone to the terminal');
  await screenshot(browser, 'pay-card-prompt');
  const seen = await paymentStatusSeen(browser, 'Enter your PIN on the terminal');
  assert.ok(!seen.some((s) => /[А-Я]{4,}/.test(s)), `no raw terminal text in English: ${seen}`);
  // A card payment is cancelled on the terminal, not on the screen.
  assert.equal(await read(browser, 'payment-cancel'), null);

  await waitFor(browser, 'confirmation', 30000);
  const sales = sbPilotLedger(terminal).filter((e) => e.op === 'sale');
  assert.equal(sales.length, 1, 'one charge on the terminal');
  assert.equal(sales[0].amount, kop(total));
  const orders = await sim.orders();
  assert.equal(orders.length, 1, 'one order in the POS');
  const paid = (orders[0].payments ?? []).reduce((s, p) => s + kop(Number(p.amount).toFixed(2)), 0);
  assert.equal(paid, kop(total));
  assert.ok(
    JSON.stringify(orders[0]).includes(sales[0].reference),
    'the POS records the terminal reference number, for refunds at the cash desk',
  );
});

test('a declined card takes no money and makes no order', async () => {
  writeSbPilotConfig(terminal, { scenario: 'decline', prompt_delay_ms: 300 });
  const before = sbPilotLedger(terminal).length;
  const ordersBefore = (await sim.orders()).length;
  await tap(browser, 'new-order', 30000);
  const pick = dishWithRequiredModifiers(await sim.menu());
  await startOrder(browser, { lang: 'en', orderType: 'eat_in' });
  await addDishWithModifiers(browser, pick);
  await posTotal(browser);
  await pay(browser);

  const declined = await waitFor(browser, 'payment-declined', 30000);
  assert.equal(await declined.getAttribute('data-reason'), 'declined');
  assert.match((await read(browser, 'payment-declined')).text, /ОТКАЗ|declined|did not go through/i);
  await tap(browser, 'back-to-cart');
  await waitFor(browser, 'cart');
  assert.equal(sbPilotLedger(terminal).length, before, 'nothing charged');
  assert.equal((await sim.orders()).length, ordersBefore, 'no order');
});
