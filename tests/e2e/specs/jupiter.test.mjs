// The kiosk on Jupiter (JPOS) through the real window: the menu from getTT with its pictures,
// a dish with a weighted choice and its automatic ("included") items, the price from the
// menu, payment, the order created in Jupiter and closed with the payment (add_new_order twice),
// the confirmation with the number. Then what Jupiter's automatic discount does to a paid order
// (the customer is told staff will help; nothing else is charged, nothing refunded behind
// staff's back), and an order paid at the counter, whose status follows get_closed_orders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startJupiterSim, jupiterConfig, openApp, jupiterDishWithWeights, waitFor, tap, gone, until,
  startOrder, confirmedTotal, pay, read, waitAttr, kop, money,
} from '../lib.mjs';

let sim;
let tt;
let pick;

before(async () => {
  sim = await startJupiterSim();
  tt = await sim.getTT();
  pick = jupiterDishWithWeights(tt);
});

after(async () => {
  await sim?.stop();
});

/** Menu → the dish sheet's rules (required, weight limit, included items) → cart → its total. */
async function orderTheDish(browser) {
  await waitFor(browser, 'attract', 30000);
  await startOrder(browser, { lang: 'ru', orderType: 'takeaway' });
  await tap(browser, `section-${pick.section}`);

  // The dish's picture comes from the link in getTT, through the kiosk's picture cache.
  const picture = await until(
    browser,
    (id) => {
      const img = document.querySelector(`[data-testid="card-${id}"] img`);
      return img && img.complete && img.naturalWidth > 0 ? img.getAttribute('src') : null;
    },
    [pick.dish],
    { timeout: 20000, message: `the picture of ${pick.dish}` },
  );
  assert.match(picture, /^(kiosk:\/\/localhost|http:\/\/kiosk\.localhost)\/image\/dish\//, `a cached picture, not the placeholder: ${picture.slice(0, 60)}`);

  await tap(browser, `card-${pick.dish}`);
  await waitFor(browser, 'dish-sheet');
  if (pick.auto) {
    const included = await read(browser, `group-${pick.auto.group}`);
    assert.ok(included?.text.includes(pick.auto.item), `automatic items shown as included: ${included?.text}`);
  }
  // The required group refuses an empty choice.
  await tap(browser, 'add-to-cart');
  await waitFor(browser, 'sheet-error');
  // Its weight limit (weight_max) allows exactly this many; one more is refused.
  for (const m of pick.picks) await tap(browser, `modifier-${m.uid}`);
  const extra = await browser.execute(
    (id) => document.querySelector(`[data-testid="modifier-${id}"]`)?.disabled ?? null,
    pick.extra,
  );
  assert.equal(extra, true, 'a choice beyond the weight limit is refused');
  await tap(browser, 'add-to-cart');
  await gone(browser, 'dish-sheet');

  await tap(browser, 'cart-button');
  await waitFor(browser, 'cart');
  return confirmedTotal(browser);
}

/** The local price of the pick, from getTT: the product and its chosen modifiers. */
const localPrice = () => money(kop(pick.price) + pick.picks.reduce((s, m) => s + kop(m.price), 0));

test('a whole order on Jupiter: getTT menu, weighted choice, local price, paid, closed with the payment', async () => {
  const browser = await openApp(jupiterConfig(sim, { confirmation_timeout_s: 60 }));
  try {
    const total = await orderTheDish(browser);
    assert.equal(total, localPrice(), 'priced from the menu: no price call exists in JPOS');
    await pay(browser);
    await waitFor(browser, 'confirmation', 30000);
    const number = (await read(browser, 'order-number')).text;

    const orders = await sim.orders();
    assert.equal(orders.length, 1, 'one order in Jupiter');
    const o = orders[0];
    assert.equal(o.closed, true, 'closed with its payment');
    assert.equal(kop(o.total), kop(total), `Jupiter's total ${o.total}`);
    assert.equal(kop(o.paid), kop(total));
    const payment = o.order.order_payment;
    assert.equal(payment.length, 1);
    assert.equal(payment[0].pay_type_uid, 'paymentCard');
    assert.ok(o.uid.startsWith('e2e-j-'), `the order uid is the kiosk's external id: ${o.uid}`);
    assert.ok(number.includes(o.order.num) || number.includes(o.order.name), `shown ${number}, Jupiter ${o.order.num}/${o.order.name}`);
    // The line as the customer chose it, with the automatic items.
    const line = o.order.order_line.find((l) => l.product_uid === pick.dish);
    assert.ok(line, 'the dish is a line of the order');
    const mods = (line.selected_modifiers ?? []).map((m) => m.product_uid);
    for (const m of pick.picks) assert.ok(mods.includes(m.uid), `modifier ${m.uid} in ${mods}`);
    if (pick.auto) assert.ok(mods.length > pick.picks.length, 'the automatic items were sent too');
    // Sent open first (the kitchen ticket), then closed: one ticket, one payment.
    const kitchen = (await sim.prints()).filter((p) => p.kind === 'kitchen' && p.order_uid === o.uid);
    assert.equal(kitchen.length, 1, 'printed to the kitchen once');
    const payments = await sim.payments();
    assert.equal(payments.length, 1);
    assert.equal(kop(payments[0].amount), kop(total));

    // Jupiter has the order closed, but the kiosk closed it itself on payment and Jupiter has no
    // kitchen status: the guest is told it is being prepared, never that it is ready.
    await waitAttr(browser, 'order-status', 'data-status', 'tracking', 20000);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});

test("Jupiter's automatic discount makes its total differ: staff are called, nothing else is charged", async () => {
  await sim.config({ discounts: [{ name: 'Киоск −10 %', percent: '10', source: 'Киоск' }] });
  const before = (await sim.orders()).length;
  const paymentsBefore = (await sim.payments()).length;
  const browser = await openApp(jupiterConfig(sim, { confirmation_timeout_s: 60 }));
  try {
    const total = await orderTheDish(browser);
    assert.equal(total, localPrice(), 'the kiosk cannot know the discount before sending');
    await pay(browser);
    await waitFor(browser, 'confirmation', 30000);
    await waitAttr(browser, 'order-status', 'data-status', 'needs_staff', 20000);
    const notice = await read(browser, 'order-notice');
    assert.ok(notice, 'the customer is told what happens');
    assert.ok((await read(browser, 'order-number')).text.length > 0, 'the customer keeps a number for staff');

    const orders = await sim.orders();
    assert.equal(orders.length, before + 1);
    const o = orders[orders.length - 1];
    assert.equal(o.closed, false, 'left open in Jupiter for staff');
    assert.equal(o.order.order_payment.length, 0, 'no payment recorded at a different amount');
    assert.ok(kop(o.total) < kop(total), `Jupiter's ${o.total} is below the ${total} charged`);
    const payments = await sim.payments();
    assert.equal(payments.length, paymentsBefore + 1, 'charged once');
    const p = payments[payments.length - 1];
    assert.equal(kop(p.amount), kop(total), 'exactly what the customer saw');
    assert.equal(p.reversed, false, 'not reversed behind staff');
    assert.equal(p.refunds.length, 0, 'not refunded behind staff');
  } finally {
    await browser.deleteSession().catch(() => {});
    await sim.config({ discounts: [] });
  }
});

test('paid at the counter: the order stays open in Jupiter until staff close it, and the screen follows', async () => {
  const browser = await openApp(jupiterConfig(sim, { provider: 'counter', confirmation_timeout_s: 90 }));
  try {
    await orderTheDish(browser);
    await tap(browser, 'checkout-button');
    const next = await until(
      browser,
      () => ['upsell', 'confirmation'].find((id) => document.querySelector(`[data-testid="${id}"]`)) ?? null,
      [],
      { timeout: 30000, message: 'the upsell or the confirmation' },
    );
    if (next === 'upsell') await tap(browser, 'upsell-skip');
    await waitFor(browser, 'confirmation', 30000);
    await waitAttr(browser, 'order-status', 'data-status', 'open', 20000);
    const o = (await sim.orders()).at(-1);
    assert.equal(o.closed, false);
    assert.equal(o.order.order_payment.length, 0, 'not paid yet');
    // Staff take the money and close the order in Jupiter: the next poll sees it closed.
    await sim.close(o.uid);
    await waitAttr(browser, 'order-status', 'data-status', 'closed', 20000);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});
