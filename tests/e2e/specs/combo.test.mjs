// A combo whose parts need their own choices, ordered in English, in landscape, with the
// accessibility mode on: the burger needs a sauce, the fries a size, the drink a volume. The
// builder refuses to go on until each part's rule is met and says what is missing; the order
// that reaches the POS carries every part with its modifiers, at the POS-confirmed total.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, tapIn, read, until, startOrder, confirmedTotal,
  pay, waitAttr,
} from '../lib.mjs';

let sim;
let browser;

before(async () => {
  sim = await startSim();
  browser = await openKiosk(kioskConfig(sim), 'landscape');
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

/** Clicks "next" on a step whose part lacks a choice: the builder stays and names it. */
async function nextIsRefused(part) {
  await tap(browser, 'combo-next');
  const error = await waitFor(browser, 'sheet-error');
  const text = await error.getText();
  assert.ok(text.includes(part), `the message names the part: ${text}`);
  return text;
}

test('a combo with modifiers on its parts reaches the POS with every choice', async () => {
  const menu = await sim.menu();
  const combo = menu.combos.find((c) => c.code === 3001);
  const [burgerSlot, sideSlot, drinkSlot] = combo.groups.map((g) => String(g.code));
  const defaults = combo.groups.map((g) => String(g.default_dish_code));
  const name = (code) => menu.dishes.find((d) => String(d.code) === code).name;

  await waitFor(browser, 'attract', 30000);
  await tap(browser, 'a11y-toggle');
  assert.equal(await browser.execute(() => document.documentElement.classList.contains('a11y')), true);
  await startOrder(browser, { lang: 'en', orderType: 'eat_in' });

  await tap(browser, `section-${combo.category_code}`);
  await tap(browser, `card-${combo.code}`);
  await waitFor(browser, 'combo-builder');

  // Step 1: the default burger is chosen; it needs a sauce.
  const burgerPart = `combo-part-${burgerSlot}-${defaults[0]}`;
  await waitFor(browser, burgerPart);
  const refused = await nextIsRefused(name(defaults[0]));
  assert.match(refused, /Please choose for .+: /);
  await tapIn(browser, burgerPart, 'modifier-5003'); // cheese sauce, +30
  await tap(browser, 'combo-next');

  // Step 2: fries need a size.
  const sidePart = `combo-part-${sideSlot}-${defaults[1]}`;
  await waitFor(browser, sidePart);
  await nextIsRefused(name(defaults[1]));
  await tapIn(browser, sidePart, 'modifier-5302'); // large, +60
  await tap(browser, 'combo-next');

  // Step 3: the drink needs a volume; "add" on the summary is not reachable before it.
  const drinkPart = `combo-part-${drinkSlot}-${defaults[2]}`;
  await waitFor(browser, drinkPart);
  await nextIsRefused(name(defaults[2]));
  await tapIn(browser, drinkPart, 'modifier-5102'); // 0.5 l, +40
  await tap(browser, 'combo-next');

  // The summary lists each part with its choice.
  const summary = (await read(browser, `combo-summary-${burgerSlot}`)).text;
  assert.ok(summary.includes('Сырный'), summary);
  await tap(browser, 'combo-add');
  await until(browser, () => !document.querySelector('[data-testid="combo-builder"]'), [], { message: 'the builder to close' });
  await waitAttr(browser, 'cart-button', 'data-count', '1');

  await tap(browser, 'cart-button');
  const total = await confirmedTotal(browser);
  const line = (await read(browser, 'cart-line-0')).text;
  for (const part of ['Сырный', 'Большая', '0,5 л']) assert.ok(line.includes(part), `the cart line shows ${part}: ${line}`);

  await pay(browser);
  await waitFor(browser, 'confirmation', 30000);

  const orders = await sim.orders();
  assert.equal(orders.length, 1);
  const order = orders[0];
  assert.equal(Number(order.total).toFixed(2), total);
  const item = order.items.find((i) => i.code === combo.code);
  assert.ok(item, `the order holds combo ${combo.code}: ${JSON.stringify(order.items)}`);
  const parts = Object.fromEntries(
    item.combo_items.map((p) => [String(p.group_code), { dish: String(p.code), modifiers: p.modifiers.map((m) => m.code) }]),
  );
  assert.deepEqual(parts, {
    [burgerSlot]: { dish: defaults[0], modifiers: [5003] },
    [sideSlot]: { dish: defaults[1], modifiers: [5302] },
    [drinkSlot]: { dish: defaults[2], modifiers: [5102] },
  });
});
