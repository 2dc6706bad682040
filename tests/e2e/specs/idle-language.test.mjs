// Language switch and the idle reset in the real window. The customer switches between Russian
// and English on the menu (the kiosk's own words change, the POS's dish names stay), adds a dish,
// and walks away: after the settings' idle time "Are you still there?" counts down, then the
// kiosk returns to the attract screen in the default language with the order dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, read, until, startOrder, addDish, dishOf,
  shots, setLayout, waitAttr,
} from '../lib.mjs';

let sim;
let browser;

const IDLE_S = 10; // the smallest the settings allow
const COUNTDOWN_S = 8;

before(async () => {
  sim = await startSim();
  browser = await openKiosk(kioskConfig(sim, { idle_timeout_s: IDLE_S, idle_countdown_s: COUNTDOWN_S }));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

/** The kiosk's own words on the menu, and the POS's section name. */
const words = () =>
  browser.execute(() => ({
    lang: document.documentElement.lang,
    cart: document.querySelector('[data-testid="cart-button"]').textContent.trim(),
    search: document.querySelector('[data-testid="search"]').placeholder,
    orderType: document.querySelector('[data-testid="order-type-chip"]').textContent.trim(),
    title: document.querySelector('h1.title').textContent.trim(),
  }));

test('the language switches on the menu; the POS names stay as they are', async () => {
  await startOrder(browser, { lang: 'ru', orderType: 'takeaway' });
  const ru = await words();
  assert.deepEqual([ru.lang, ru.cart, ru.search, ru.orderType], ['ru', 'Корзина', 'Найти блюдо', 'С собой']);

  await tap(browser, 'switch-lang-en');
  await until(browser, () => document.documentElement.lang === 'en', [], { message: 'English' });
  const en = await words();
  assert.deepEqual([en.cart, en.search, en.orderType], ['Order', 'Find a dish', 'Take away']);
  assert.equal(en.title, ru.title, 'the section name comes from the POS');

  const mors = dishOf(await sim.menu(), 1905);
  await addDish(browser, mors);
  await waitAttr(browser, 'cart-button', 'data-count', '1');
  await tap(browser, 'switch-lang-ru');
  await until(browser, () => document.documentElement.lang === 'ru', [], { message: 'Russian again' });
  assert.equal((await words()).cart.includes('Корзина'), true);
  await tap(browser, 'switch-lang-en');
  await until(browser, () => document.documentElement.lang === 'en', [], { message: 'English again' });
});

test('an idle customer is asked, then the kiosk starts over with the order dropped', async () => {
  // No touch from here on: the question comes after the idle time.
  const dialog = await waitFor(browser, 'idle-dialog', (IDLE_S + 10) * 1000);
  assert.match(await dialog.getText(), /Are you still there\?/);
  // Resizing the window is not a touch: pictures of the question in both orientations.
  const offenders = await shots(browser, 'idle', ['portrait', 'landscape']);
  await waitFor(browser, 'screen-attract', (COUNTDOWN_S + 10) * 1000);
  await setLayout(browser, 'portrait');
  assert.deepEqual(offenders, []);

  // The next customer: default language, empty order.
  assert.equal(await browser.execute(() => document.documentElement.lang), 'ru');
  await startOrder(browser, { lang: 'ru', orderType: 'eat_in' });
  assert.equal((await read(browser, 'cart-button')).data.count, '0');
});
