// The cart against a live POS, in Russian and portrait: a dish out of stock stays on the menu,
// greyed with its reason, and cannot be added; every cart edit shows the instant estimate and
// then the POS's total for exactly that cart; the POS changing a price during the session shows
// a notice and the new confirmed total; a dish that runs out during the session is marked on
// its line and blocks payment until it is removed; the order is paid at the POS's new total.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, read, until, waitAttr, startOrder, addDish,
  confirmedTotal, dishOf, kop, money, pay, gone,
} from '../lib.mjs';

let sim;
let browser;
let menu;

before(async () => {
  sim = await startSim();
  menu = await sim.menu();
  browser = await openKiosk(kioskConfig(sim));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

/** Waits for the POS-confirmed total to be `expected` (an estimate of it does not count). */
async function expectTotal(expected) {
  await until(
    browser,
    (total) => {
      const el = document.querySelector('[data-testid="cart-total"]');
      return el?.dataset.source === 'pos' && el.dataset.total === total;
    },
    [expected],
    { message: `the POS total ${expected}` },
  );
}

const canPay = () =>
  browser.execute(() => !document.querySelector('[data-testid="checkout-button"]').disabled);

test('an out-of-stock dish is shown greyed with its reason and cannot be added', async () => {
  const fish = dishOf(menu, 1008); // remains 0 in the demo restaurant
  const cheeseburger = dishOf(menu, 1001);
  await startOrder(browser, { lang: 'ru', orderType: 'eat_in' });
  await tap(browser, `section-${fish.category}`);
  const card = await read(browser, `card-${fish.code}`);
  assert.equal(card.data.available, 'false');
  assert.match(card.text, /Закончилось|Временно нет/, 'the card says why');
  // Tapping it opens nothing: the next card's sheet opens at once, and its title is its own
  // (a sheet left open by the first tap would have caught the second tap instead).
  await tap(browser, `card-${fish.code}`);
  await tap(browser, `card-${cheeseburger.code}`);
  const title = await until(browser, () => document.querySelector('#sheet-title')?.textContent ?? null);
  assert.equal(title, cheeseburger.name);
  await tap(browser, 'close-sheet');
  await gone(browser, 'dish-sheet');
});

test('cart edits show the estimate, then the POS total for that very cart', async () => {
  const mors = dishOf(menu, 1905);
  await addDish(browser, mors);
  await tap(browser, 'cart-button');
  assert.equal(await confirmedTotal(browser), mors.price);

  // The POS answers slowly: the estimate shows first, then the POS's total for two.
  await sim.fault({ method: 'validate', kind: 'latency', latency_ms: 400 });
  await tap(browser, 'line-0-plus');
  const during = await read(browser, 'cart-total');
  assert.equal(during.data.source, 'estimate', 'right after the tap the total is the estimate');
  await expectTotal(money(2 * kop(mors.price)));
  await sim.clearFaults();

  await tap(browser, 'line-0-minus');
  await expectTotal(mors.price);

  // A second line, changed through "edit": its modifier's price reaches the total.
  const burger = dishOf(menu, 1001);
  await tap(browser, 'back-to-menu');
  await tap(browser, `section-${burger.category}`);
  await tap(browser, `card-${burger.code}`);
  await tap(browser, 'modifier-5001'); // ketchup, free
  await tap(browser, 'add-to-cart');
  await gone(browser, 'dish-sheet');
  await tap(browser, 'cart-button');
  await expectTotal(money(kop(mors.price) + kop(burger.price)));
  await tap(browser, 'line-1-edit');
  await tap(browser, 'modifier-5003'); // cheese sauce, +30.00
  await tap(browser, 'add-to-cart');
  await gone(browser, 'dish-sheet');
  await expectTotal(money(kop(mors.price) + kop(burger.price) + kop('30.00')));
});

test('a price the POS changes during the session is flagged, with the new confirmed total', async () => {
  const mors = dishOf(menu, 1905);
  const burger = dishOf(menu, 1001);
  const newPrice = money(kop(mors.price) + kop('10.00'));
  await sim.setPrice(mors.code, newPrice);
  // Back to the menu and into the order again: the kiosk asks the POS anew.
  await tap(browser, 'back-to-menu');
  await tap(browser, 'cart-button');
  await expectTotal(money(kop(newPrice) + kop(burger.price) + kop('30.00')));
  const notice = await read(browser, `notice-pos-change-${mors.code}`);
  assert.ok(notice, 'a notice names the changed dish');
  assert.ok(notice.text.includes(mors.name), notice.text);
  const line = await read(browser, 'cart-line-0');
  assert.equal(line.data.priceChanged, 'true');
  assert.equal(await canPay(), true, 'a changed price does not stop the order');
});

test('a dish that runs out during the session blocks payment until it is removed', async () => {
  const mors = dishOf(menu, 1905);
  const burger = dishOf(menu, 1001);
  await sim.setRemains(burger.code, 0);
  await tap(browser, 'back-to-menu');
  await tap(browser, 'cart-button');
  await waitAttr(browser, 'cart-line-1', 'data-problem', 'true');
  assert.equal((await read(browser, 'cart-line-0')).data.problem, 'false');
  assert.equal((await read(browser, 'notice-pos-error')).data.code, 'dish_unavailable');
  assert.ok((await read(browser, 'line-1-problem')).text.includes(burger.name));
  assert.equal(await canPay(), false, 'payment waits until the line is dealt with');

  await tap(browser, 'line-1-remove');
  const newPrice = money(kop(mors.price) + kop('10.00'));
  await expectTotal(newPrice);
  assert.equal(await canPay(), true);

  // Paid at the POS's new price.
  await pay(browser);
  await waitFor(browser, 'confirmation', 30000);
  const orders = await sim.orders();
  assert.equal(orders.length, 1);
  assert.equal(Number(orders[0].total).toFixed(2), newPrice);
});
