// One complete order through the real kiosk window, in Russian and portrait: menu → a dish with
// required modifiers (the rule error first, then success) → cart priced by the POS → payment →
// confirmation with the order number and its live status, checked against what the simulated
// POS recorded. The restaurant's name and the confirmation's time come from the settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, dishWithRequiredModifiers,
  startOrder, addDishWithModifiers, posTotal, pay, read, waitAttr,
} from '../lib.mjs';

let sim;
let browser;

before(async () => {
  sim = await startSim();
  browser = await openKiosk(
    kioskConfig(sim, { restaurant_name: 'Бургерная «Огонёк» на Тверской', confirmation_timeout_s: 45 }),
  );
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

test('a paid order reaches the POS once and its status follows the POS', async () => {
  const pick = dishWithRequiredModifiers(await sim.menu());
  await waitFor(browser, 'attract', 30000);
  assert.equal((await read(browser, 'brand')).text, 'Бургерная «Огонёк» на Тверской');
  await startOrder(browser, { lang: 'ru', orderType: 'takeaway' });
  await addDishWithModifiers(browser, pick);

  const total = await posTotal(browser);
  assert.match(total, /^\d+\.\d{2}$/);
  await pay(browser);

  await waitFor(browser, 'confirmation', 30000);
  const number = (await read(browser, 'order-number')).text;
  assert.ok(number.length > 0, 'an order number is shown');
  // The settings' 45 s, counting down (it may have ticked once already).
  assert.ok(Number((await read(browser, 'confirmation-countdown')).data.seconds) >= 44);

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
  await waitAttr(browser, 'order-status', 'data-status', 'bill', 20000);
});
