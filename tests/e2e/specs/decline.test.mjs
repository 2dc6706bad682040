// A declined payment: the customer is told no money was taken (screenshots in both
// orientations), returns to the cart, and the POS has no order at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, dishWithRequiredModifiers, shots, setLayout,
  startOrder, addDishWithModifiers, posTotal, pay,
} from '../lib.mjs';

let sim;
let browser;

before(async () => {
  sim = await startSim('procart', ['--payment', 'decline']);
  browser = await openKiosk(kioskConfig(sim));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

test('a declined payment creates no order in the POS', async () => {
  const pick = dishWithRequiredModifiers(await sim.menu());
  await startOrder(browser, { lang: 'en', orderType: 'eat_in' });
  await addDishWithModifiers(browser, pick);
  await posTotal(browser);
  await pay(browser);

  await waitFor(browser, 'payment-declined', 30000);
  assert.deepEqual(await shots(browser, 'payment-declined'), []);
  await setLayout(browser, 'portrait');
  await tap(browser, 'back-to-cart');
  await waitFor(browser, 'cart');

  assert.deepEqual(await sim.orders(), []);
  const payments = await sim.payments();
  assert.equal(payments.length, 1);
  assert.equal(payments[0].status, 'declined');
});
