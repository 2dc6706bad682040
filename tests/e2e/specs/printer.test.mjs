// The receipt printer in the real kiosk window, against the ProCart simulator and the ESC/POS
// printer simulator (two processes on loopback):
// - a paid order prints its slip: the printer recorded a slip with the order's number, the
//   confirmation screen says so, and the slip's picture goes to docs/screens/slip.png;
// - with the paper out, the printer dialog shows before the payment and nothing is charged; the
//   guest goes back, or goes on without a slip (the settings allow it) and is told to remember
//   the number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import {
  startSim, kioskConfig, openKiosk, waitFor, tap, gone, read, waitAttr, startOrder, addDish,
  posTotal, pay, until, plainDish, dishOf, screenshot, DOCS_SCREENS,
  startPrinterSim, withPrinter, slipShowsNumber,
} from '../lib.mjs';

let sim;
let printer;
let browser;
let dish;

before(async () => {
  sim = await startSim();
  printer = await startPrinterSim();
  const config = withPrinter(kioskConfig(sim, { restaurant_name: 'Бургерная «Огонёк»' }), printer, {
    policy: 'continue_without_slip',
    statusUrl: 'https://status.example.ru/o/{order_id}',
  });
  browser = await openKiosk(config);
  const menu = await sim.menu();
  dish = dishOf(menu, plainDish(menu).code);
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
  await printer?.stop();
});

/**
 * "Pay" on the cart, skipping the upsell: the printer check may answer so fast that the payment
 * screen is gone before anyone sees it, so the printer dialog also counts as the next step.
 */
async function tapPay() {
  await tap(browser, 'checkout-button');
  const next = await until(
    browser,
    () => ['upsell', 'screen-payment', 'printer-dialog'].find((id) => document.querySelector(`[data-testid="${id}"]`)) ?? null,
    [],
    { message: 'the upsell, the payment screen or the printer dialog' },
  );
  if (next === 'upsell') await tap(browser, 'upsell-skip');
}

/** From the attract screen to the cart with one dish; returns the POS-confirmed total. */
async function orderOneDish() {
  await startOrder(browser, { lang: 'ru', orderType: 'takeaway' });
  await addDish(browser, dish);
  return posTotal(browser);
}

test('a paid order prints its slip with the order number', async () => {
  await waitFor(browser, 'attract', 30000);
  const total = await orderOneDish();
  await pay(browser);
  await waitFor(browser, 'confirmation', 30000);
  const number = (await read(browser, 'order-number')).text;
  assert.ok(number.length > 0);

  // The screen follows the slip: printing, then printed.
  await waitAttr(browser, 'order-slip', 'data-slip', 'printed', 20000);
  const slips = await printer.slips();
  assert.equal(slips.length, 1, 'one slip');
  const text = slips[0].text;
  assert.ok(slipShowsNumber(text, number), `number ${number} on the slip:\n${text}`);
  assert.ok(text.includes(total), `total ${total} on the slip:\n${text}`);
  assert.ok(text.includes('С СОБОЙ'), text);
  assert.ok(text.includes('Бургерная "Огонёк"'), `the restaurant's header:\n${text}`);
  assert.match(text, /\[QR https:\/\/status\.example\.ru\/o\/[0-9a-f]+\]/);
  const [order] = await sim.orders();
  assert.ok(number.includes(String(order.order_number)));

  // The slip as the printer prints it, for the README.
  const png = await printer.saveSlipPng(resolve(DOCS_SCREENS, 'slip.png'));
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  await screenshot(browser, 'printer-slip-printed');

  await tap(browser, 'new-order');
  await waitFor(browser, 'attract');
});

test('paper out before payment: the dialog shows and nothing is charged', async () => {
  await printer.setMode('paper_out');
  const paymentsBefore = (await sim.payments()).length;
  const ordersBefore = (await sim.orders()).length;
  const slipsBefore = (await printer.slips()).length;

  await orderOneDish();
  await tapPay();
  const dialog = await waitFor(browser, 'printer-dialog', 20000);
  assert.ok(dialog);
  const shown = await read(browser, 'printer-problem');
  assert.equal(shown.data.problem, 'paper_out');
  assert.match(shown.text, /закончилась бумага/);
  await screenshot(browser, 'printer-dialog', { docs: true });
  assert.equal((await sim.payments()).length, paymentsBefore, 'no charge before the guest decides');
  assert.equal((await sim.orders()).length, ordersBefore);

  // Back to the order: still nothing charged, the cart is as it was.
  await tap(browser, 'printer-cancel');
  await gone(browser, 'printer-dialog');
  await waitFor(browser, 'cart');
  assert.equal((await sim.payments()).length, paymentsBefore);

  // Asked again, the guest goes on without a slip: paid once, told to remember the number.
  await tapPay();
  await waitFor(browser, 'printer-dialog', 20000);
  await tap(browser, 'printer-continue');
  await waitFor(browser, 'confirmation', 30000);
  await waitAttr(browser, 'order-slip', 'data-slip', 'skipped');
  assert.match((await read(browser, 'order-slip')).text, /запомните номер/);
  assert.equal((await sim.payments()).length, paymentsBefore + 1);
  assert.equal((await sim.orders()).length, ordersBefore + 1);
  assert.equal((await printer.slips()).length, slipsBefore, 'nothing sent to a printer without paper');
  await printer.setMode('ready');
});
