// The order board on a second display (1920x1080, `--mode board`), as its own device: its data
// folder is its own, so it learns of the kiosks' orders only through the POS, as a board by the
// pick-up counter would. Orders are placed by another "kiosk" (kioskctl: the same engine, its own
// data folder) against the same simulated POS; the board shows each as preparing, then as ready
// (highlighted) when staff close it in the POS, and drops a deleted one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startSim, kioskConfig, openApp, waitFor, gone, read, waitAttr, screenshot, layoutOffenders,
  kioskctlOk, cartFile, plainDish,
} from '../lib.mjs';

let sim;
let browser;
let kiosk;
let dish;

before(async () => {
  sim = await startSim();
  dish = plainDish(await sim.menu());
  // Another device: a kiosk with its own data folder, on the same POS and token.
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-other-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  kiosk = { pos: 'procart', posUrl: sim.url, secret: process.env.KIOSK_POS_TOKEN, user: null, tender: '1', dir, dataDir };
  browser = await openApp(kioskConfig(sim, { restaurant_name: 'Бургерная «Огонёк»' }), {
    layout: 'landscape',
    args: ['--mode', 'board'],
  });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

/** Pays for one dish on the other kiosk; returns the POS's order id and the customer's number. */
function placeOrder() {
  const cart = cartFile(kiosk, [{ dish: dish.code, qty: 1, modifiers: [], comment: null, combo: [] }]);
  const o = kioskctlOk(kiosk, ['order', '--cart', cart, '--pay', 'simulator']);
  assert.equal(o.state, 'posted');
  return { guid: o.pos_order_id, number: String(o.number) };
}

const action = (guid, what) => sim.admin('POST', `/_sim/orders/${encodeURIComponent(guid)}/${what}`);

test('an order placed on another kiosk shows as preparing, then ready when staff close it', async () => {
  await waitAttr(browser, 'board', 'data-ready', 'true', 30000);
  const heads = (await read(browser, 'board-preparing')).text + (await read(browser, 'board-ready')).text;
  for (const word of ['Готовится', 'Preparing', 'Готово', 'Ready']) assert.ok(heads.includes(word), `${word} in ${heads}`);

  const first = placeOrder();
  // The board asks the POS every few seconds: no event reaches it from another device.
  await waitFor(browser, `preparing-${first.number}`, 20000);
  assert.equal(await read(browser, `ready-${first.number}`), null);

  await action(first.guid, 'precheck');
  // The bill printed is still "preparing".
  await waitFor(browser, `preparing-${first.number}`);

  await action(first.guid, 'pay');
  const ready = await waitAttr(browser, `ready-${first.number}`, 'data-fresh', 'true', 20000);
  assert.equal(ready.fresh, 'true', 'a number that just turned ready is highlighted');
  await gone(browser, `preparing-${first.number}`);

  // A deleted order leaves the board.
  const second = placeOrder();
  await waitFor(browser, `preparing-${second.number}`, 20000);
  await action(second.guid, 'delete');
  await gone(browser, `preparing-${second.number}`, 20000);
  assert.equal(await read(browser, `ready-${second.number}`), null);
});

test('the board reads from across the room: a screenshot with both columns filled', async () => {
  const orders = [];
  for (let i = 0; i < 6; i++) orders.push(placeOrder());
  await action(orders[0].guid, 'pay');
  await action(orders[1].guid, 'pay');
  await waitFor(browser, `ready-${orders[1].number}`, 20000);
  await waitFor(browser, `preparing-${orders[5].number}`, 20000);
  assert.deepEqual(await layoutOffenders(browser), []);
  // Numbers are big: at least 8 % of the screen's height in "Ready".
  const h = await browser.execute(
    (id) => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect().height / innerHeight,
    `ready-${orders[1].number}`,
  );
  assert.ok(h >= 0.08, `a ready number is ${Math.round(h * 100)} % of the height`);
  await screenshot(browser, 'board', { docs: true });
});
