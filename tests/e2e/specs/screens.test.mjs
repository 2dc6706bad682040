// Every customer screen of one order, in portrait (1080x1920) and landscape (1920x1080), with the
// menu also on a 10-inch tablet (1280x800): screenshots for the README (docs/screens/), and on
// each screen the layout rules: touch targets of at least 48 px, a name on every control
// for screen readers, transitions under 200 ms. The menu's pictures come from the kiosk's cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, tapIn, until, shots, setLayout, screenshot,
  publish, confirmedTotal, gone,
} from '../lib.mjs';

let sim;
let browser;
const offenders = [];

before(async () => {
  sim = await startSim();
  browser = await openKiosk(kioskConfig(sim, { restaurant_name: 'Бургерная «Огонёк»' }));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

/** Pictures of the cards in view: all loaded from the kiosk's picture cache. */
async function cardPicturesLoaded() {
  return until(
    browser,
    () => {
      const pics = Array.from(document.querySelectorAll('[data-testid^="card-"] img')).filter((i) => {
        const r = i.getBoundingClientRect();
        return r.bottom > 0 && r.top < innerHeight;
      });
      return pics.length > 0 && pics.every((i) => i.complete && i.naturalWidth > 0 && i.currentSrc.startsWith('kiosk:'));
    },
    [],
    { timeout: 20000, message: 'the card pictures to load from the cache' },
  );
}

test('every screen of an order, in both orientations', async () => {
  await waitFor(browser, 'attract', 30000);
  // The promo picture is in.
  await until(browser, () => Array.from(document.querySelectorAll('.promo.shown img')).some((i) => i.complete && i.naturalWidth > 0), [], {
    timeout: 20000,
    message: 'the attract picture',
  });
  offenders.push(...(await shots(browser, 'attract')));

  await tap(browser, 'attract');
  await waitFor(browser, 'lang-ru');
  offenders.push(...(await shots(browser, 'language', ['landscape', 'portrait'])));
  await tap(browser, 'lang-ru');
  await waitFor(browser, 'order-type-eat_in');
  offenders.push(...(await shots(browser, 'order-type')));
  await tap(browser, 'order-type-eat_in');

  await waitFor(browser, 'screen-menu');
  await setLayout(browser, 'portrait');
  await cardPicturesLoaded();
  offenders.push(...(await shots(browser, 'menu', ['portrait', 'tablet', 'landscape'])));
  await cardPicturesLoaded();
  // The README's top picture: the menu in portrait, full size, with the section pictures in too
  // (a picture the cache could not make in time is asked for again after 3 and 10 s).
  await setLayout(browser, 'portrait');
  await cardPicturesLoaded();
  await until(
    browser,
    () =>
      Array.from(document.querySelectorAll('[data-testid^="section-"] img'))
        .filter((i) => i.getBoundingClientRect().bottom < innerHeight)
        .every((i) => i.complete && i.currentSrc.startsWith('kiosk:')),
    [],
    { timeout: 20000, message: 'the section pictures' },
  ).catch(() => console.log('# some section pictures still show the placeholder'));
  await screenshot(browser, 'menu');
  publish('menu', 'menu');

  // The dish sheet with its rules, after "add" was tapped with the sauce not chosen.
  await tap(browser, 'section-10');
  await tap(browser, 'card-1001');
  await tap(browser, 'add-to-cart');
  await waitFor(browser, 'sheet-error');
  offenders.push(...(await shots(browser, 'dish-sheet')));
  await tap(browser, 'modifier-5003');
  await tap(browser, 'add-to-cart');
  await gone(browser, 'dish-sheet');

  // The combo builder: a part's own choices, and the message when one is missing.
  await tap(browser, 'section-40');
  await tap(browser, 'card-3001');
  await waitFor(browser, 'combo-part-301-1001');
  await tap(browser, 'combo-next');
  await waitFor(browser, 'sheet-error');
  offenders.push(...(await shots(browser, 'combo', ['portrait', 'landscape'])));
  await tapIn(browser, 'combo-part-301-1001', 'modifier-5001');
  await tap(browser, 'combo-next');
  await tapIn(browser, 'combo-part-302-1201', 'modifier-5301');
  await tap(browser, 'combo-next');
  await tapIn(browser, 'combo-part-303-1901', 'modifier-5101');
  await tap(browser, 'combo-next');
  await waitFor(browser, 'combo-summary-301');
  offenders.push(...(await shots(browser, 'combo-summary', ['landscape', 'portrait'])));
  await tap(browser, 'combo-add');
  await gone(browser, 'combo-builder');

  await tap(browser, 'cart-button');
  await confirmedTotal(browser);
  offenders.push(...(await shots(browser, 'cart')));

  // The upsell step (the order has a drink, no dessert), then a payment held at the terminal.
  await tap(browser, 'checkout-button');
  await waitFor(browser, 'upsell');
  offenders.push(...(await shots(browser, 'upsell', ['landscape', 'portrait'])));
  await sim.setPayment('approve', 5000);
  await tap(browser, 'upsell-skip');
  await waitFor(browser, 'payment');
  await until(browser, () => document.querySelector('[data-testid="payment-status"]')?.dataset.state === 'payment_started', [], {
    message: 'the payment to start at the terminal',
  });
  offenders.push(...(await shots(browser, 'payment')));

  await waitFor(browser, 'confirmation', 30000);
  offenders.push(...(await shots(browser, 'confirmation', ['landscape', 'portrait'])));

  assert.deepEqual(offenders, [], 'touch targets ≥ 48 px, named controls, transitions < 200 ms');
});
