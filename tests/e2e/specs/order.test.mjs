// One complete order through the real kiosk window: menu → a dish with required modifiers
// (the rule error first, then success) → cart priced by the POS → payment → confirmation with
// the order number and its live status, checked against what the simulated POS recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, screenshot, dishWithRequiredModifiers,
  startOrder, addDishWithModifiers, posTotal, pay, tid,
} from '../lib.mjs';

let sim;
let browser;

before(async () => {
  sim = await startSim();
  browser = await openKiosk(kioskConfig(sim));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

test('a paid order reaches the POS once and its status follows the POS', async () => {
  const pick = dishWithRequiredModifiers(await sim.menu());
  await waitFor(browser, 'attract', 30000);
  await screenshot(browser, 'attract');
  await startOrder(browser, { lang: 'ru', orderType: 'takeaway' });
  await screenshot(browser, 'menu');
  await addDishWithModifiers(browser, pick);

  const total = await posTotal(browser);
  assert.match(total, /^\d+\.\d{2}$/);
  await screenshot(browser, 'cart');
  await pay(browser);

  await waitFor(browser, 'confirmation', 30000);
  const number = await (await browser.$(tid('order-number'))).getText();
  assert.ok(number.trim().length > 0, 'an order number is shown');
  await screenshot(browser, 'confirmation');

  // Exactly one order in the POS, paid with exactly the confirmed total.
  const orders = await sim.orders();
  assert.equal(orders.length, 1);
  const order = orders[0];
  assert.equal(Number(order.total).toFixed(2), total);
  const paid = (order.payments ?? []).reduce((s, p) => s + Math.round(Number(p.amount) * 100), 0);
  assert.equal(paid, Math.round(Number(total) * 100));
  assert.ok(order.external_id?.startsWith('e2e-1-'), `external id ${order.external_id}`);
  assert.ok(number.includes(String(order.order_number)), `shown ${number}, POS ${order.order_number}`);

  // The POS prints the bill: the confirmation screen follows.
  await sim.admin('POST', `/_sim/orders/${encodeURIComponent(order.guid)}/precheck`);
  await browser.waitUntil(
    async () => (await (await browser.$(tid('order-status'))).getAttribute('data-status')) === 'bill',
    { timeout: 20000, timeoutMsg: 'the status never became "bill" on screen' },
  );
});
