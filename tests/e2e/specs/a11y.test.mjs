// The accessibility mode, one tap from any screen: larger text, high contrast, every control in
// the lower part of the screen (portrait and landscape, dialogs included), a whole order by
// keyboard alone (Tab, Enter, Space, Escape), and a name on every control for screen readers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, until, tabTo, press, outOfReach, setLayout,
  layoutOffenders, shots, confirmedTotal, gone,
} from '../lib.mjs';

let sim;
let browser;
const offenders = [];

before(async () => {
  sim = await startSim();
  browser = await openKiosk(kioskConfig(sim));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

const look = () =>
  browser.execute(() => {
    const root = getComputedStyle(document.documentElement);
    return {
      on: document.documentElement.classList.contains('a11y'),
      fontPx: parseFloat(root.fontSize),
      ink: getComputedStyle(document.body).color,
      bg: getComputedStyle(document.documentElement).backgroundColor,
    };
  });

test('one tap turns on larger text and high contrast', async () => {
  await waitFor(browser, 'attract', 30000);
  const before = await look();
  assert.equal(before.on, false);
  await tap(browser, 'a11y-toggle');
  const after = await look();
  assert.equal(after.on, true);
  assert.ok(after.fontPx >= before.fontPx * 1.2, `text grows: ${before.fontPx} → ${after.fontPx} px`);
  assert.deepEqual([after.ink, after.bg], ['rgb(0, 0, 0)', 'rgb(255, 255, 255)'], 'black on white');
});

test('a whole order by keyboard, with every control within reach', async () => {
  // Attract → language → order type → menu, with Tab and Enter only.
  await tabTo(browser, 'attract');
  await press(browser, 'Enter');
  await waitFor(browser, 'lang-en');
  await tabTo(browser, 'lang-en');
  await press(browser, 'Enter');
  await waitFor(browser, 'order-type-takeaway');
  await tabTo(browser, 'order-type-takeaway');
  await press(browser, 'Enter');
  await waitFor(browser, 'screen-menu');
  assert.deepEqual(await outOfReach(browser), [], 'menu, portrait');
  assert.deepEqual(await layoutOffenders(browser), []);

  await tabTo(browser, 'section-10');
  await press(browser, 'Enter');
  await tabTo(browser, 'card-1001');
  await press(browser, 'Enter');
  await waitFor(browser, 'dish-sheet');
  // Escape closes the sheet; Enter opens it again.
  await press(browser, 'Escape');
  await gone(browser, 'dish-sheet');
  await until(browser, () => document.activeElement?.dataset?.testid === 'card-1001', [], { message: 'the focus back on the card' });
  await press(browser, 'Enter');
  await waitFor(browser, 'dish-sheet');
  assert.deepEqual(await outOfReach(browser), [], 'dish sheet, portrait');

  // The rule error, then a sauce chosen with Space, then "add" with Enter.
  await tabTo(browser, 'add-to-cart');
  await press(browser, 'Enter');
  await waitFor(browser, 'sheet-error');
  await tabTo(browser, 'modifier-5002');
  await press(browser, ' ');
  await until(browser, () => document.querySelector('[data-testid="modifier-5002"]').getAttribute('aria-pressed') === 'true', [], {
    message: 'the sauce chosen with Space',
  });
  offenders.push(...(await shots(browser, 'dish-sheet-a11y', ['portrait', 'landscape'])));
  assert.deepEqual(await outOfReach(browser), [], 'dish sheet, landscape');
  await tabTo(browser, 'add-to-cart');
  await press(browser, 'Enter');
  await gone(browser, 'dish-sheet');

  assert.deepEqual(await outOfReach(browser), [], 'menu, landscape');
  offenders.push(...(await shots(browser, 'menu-a11y', ['landscape', 'portrait'])));
  await tabTo(browser, 'cart-button');
  await press(browser, 'Enter');
  await waitFor(browser, 'screen-cart');
  await confirmedTotal(browser);
  assert.deepEqual(await outOfReach(browser), [], 'cart, portrait');
  offenders.push(...(await shots(browser, 'cart-a11y', ['portrait', 'landscape'])));
  assert.deepEqual(await outOfReach(browser), [], 'cart, landscape');
  await tabTo(browser, 'checkout-button');
  assert.deepEqual(offenders, [], 'touch targets ≥ 48 px, named controls, transitions < 200 ms');
  await setLayout(browser, 'portrait');
});

