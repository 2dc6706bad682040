// The service menu in the real window: the hidden gesture (five taps on the top-left corner),
// the first PIN on a device that has none, diagnostics, the menu and payment pre-flight, the
// diagnostics zip; a wrong PIN never opens the menu and locks it out, even for the right PIN,
// across a restart; the out-of-service screen leads to the menu too.
// Screenshots for the README: docs/screens/service-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  APP, startSim, kioskConfig, openProgram, waitFor, waitAttr, tap, typeInto, gone, read, screenshot,
  serviceGesture, enterServicePin, layoutOffenders, startPaySim, until,
} from '../lib.mjs';

let sim;
let paySim;
let browser;
let config;
let dataDir;

before(async () => {
  sim = await startSim();
  config = kioskConfig(sim);
  dataDir = join(dirname(config), 'data');
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
  await paySim?.stop();
});

const open = () => openProgram(APP, ['--config', config, '--data-dir', dataDir, '--token-env', 'KIOSK_POS_TOKEN']);

/** What the back end answers to a PIN, asked directly (not through the screens). */
async function unlockDirectly(pin) {
  return browser.executeAsync((p, done) => {
    window.__TAURI_INTERNALS__.invoke('service_unlock', { pin: p }).then(done, (e) => done({ error: e }));
  }, pin);
}

async function shot(name, offenders) {
  await screenshot(browser, `service-${name}`, { docs: true });
  offenders.push(...(await layoutOffenders(browser)).map((o) => `service-${name}: ${o}`));
}

test('the service menu: first PIN, diagnostics, pre-flight, export of the diagnostics zip', async () => {
  const offenders = [];
  browser = await open();
  await waitFor(browser, 'attract', 30000);

  // Four taps do nothing; five open it. This device has no PIN yet: it asks for one first.
  await serviceGesture(browser, 4);
  assert.equal(await browser.$('[data-testid="first-pin"]').isExisting(), false);
  await serviceGesture(browser, 5);
  await waitFor(browser, 'first-pin');
  await typeInto(browser, 'first-pin-a', '2468');
  await typeInto(browser, 'first-pin-b', '2468');
  await tap(browser, 'first-pin-save');

  // Diagnostics: the POS reachable with its latency, the menu's age, the journal, the payment
  // provider, the disk, the version; every check.
  await waitAttr(browser, 'service-menu', 'data-page', 'diagnostics');
  await waitAttr(browser, 'diag-pos', 'data-reachable', 'true', 20000);
  assert.match((await read(browser, 'diag-pos-latency')).text, /\d+ (мс|ms)/);
  assert.equal((await read(browser, 'diag-payment')).data.status, 'ok');
  assert.match((await read(browser, 'diag-version-value')).text, /^\d+\.\d+\.\d+/);
  assert.equal((await read(browser, 'diag-journal')).data.needsStaff, '0');
  const failed = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="diagnostics-checks"] [data-status="fail"]')).map((l) => l.textContent),
  );
  assert.deepEqual(failed, []);
  await shot('diagnostics', offenders);

  // The pre-flight: the menu fetched again and its faults listed, the payment provider checked.
  await tap(browser, 'service-tab-preflight');
  await tap(browser, 'preflight-run');
  await waitFor(browser, 'preflight-lines', 30000);
  const preflight = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="preflight-lines"] [data-testid="check-line"]')).map((l) => l.dataset.id),
  );
  assert(preflight.includes('payment'), JSON.stringify(preflight));
  assert(preflight.some((id) => id.startsWith('menu')), JSON.stringify(preflight));
  await shot('preflight', offenders);

  // Export: a zip in the data folder, and the screen says where.
  await tap(browser, 'service-tab-export');
  await tap(browser, 'export-run');
  const result = await waitFor(browser, 'export-result', 30000);
  const path = await result.getAttribute('data-path');
  assert(path.startsWith(join(dataDir, 'exports')), path);
  assert(existsSync(path), path);
  assert.equal(readFileSync(path).subarray(0, 2).toString(), 'PK');
  assert(!readFileSync(path).includes(process.env.KIOSK_POS_TOKEN));
  await shot('export', offenders);

  // Leaving ends the session; the customer's screen is back.
  await tap(browser, 'service-lock');
  await gone(browser, 'service-menu');
  await waitFor(browser, 'attract');

  assert.deepEqual(offenders, []);
});

test('settings from the service menu: T-Bank SBP QR chosen and tested with a QR paid and given back', async () => {
  paySim = await startPaySim('tbank');
  await serviceGesture(browser);
  await waitFor(browser, 'pin-pad');
  await enterServicePin(browser, '2468');
  await waitFor(browser, 'service-menu');
  await tap(browser, 'service-tab-settings');
  // The wizard over the running kiosk's settings.
  await waitAttr(browser, 'wizard', 'data-step', 'device');
  assert.equal(await (await browser.$('[data-testid="kiosk_id"]')).getValue(), 'e2e-1');
  for (const next of ['pos', 'orders', 'payment']) {
    await tap(browser, 'wizard-next');
    await waitAttr(browser, 'wizard', 'data-step', next);
  }
  await tap(browser, 'provider-tbank');
  await typeInto(browser, 'payment_url', paySim.url);
  await typeInto(browser, 'secret-tbank_terminal_key', process.env.KIOSK_PAY_KEY);
  await typeInto(browser, 'secret-tbank_password', process.env.KIOSK_PAY_SECRET);
  await tap(browser, 'test-payment');
  await waitAttr(browser, 'payment-result', 'data-ok', 'true', 20000);
  // The test sale: the QR shows; the customer's bank app pays it; the kiosk gives it back.
  await tap(browser, 'test-sale');
  await until(browser, () => document.querySelector('[data-testid="payment-progress"] svg'), [], { timeout: 20000, message: 'the QR' });
  await screenshot(browser, 'wizard-payment-qr', { docs: true });
  const pending = (await paySim.payments()).find((p) => p.order_id.startsWith('setup-test-'));
  assert(pending, 'the test sale reached T-Bank');
  await paySim.act(pending.order_id, 'pay');
  await waitAttr(browser, 'payment-result', 'data-ok', 'true', 30000);
  const lines = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="payment-lines"] [data-testid="check-line"]')).map((l) => `${l.dataset.id}:${l.dataset.status}`),
  );
  assert.deepEqual(lines, ['payment.key:ok', 'payment.key:ok', 'payment:ok', 'payment.sale:ok', 'payment.refund:ok']);
  const paid = (await paySim.payments()).find((p) => p.order_id === pending.order_id);
  assert.equal(paid.charged, 0, JSON.stringify(paid));
  // Closed without saving: the kiosk keeps its settings.
  await tap(browser, 'wizard-close');
  await waitFor(browser, 'service-menu');
  await tap(browser, 'service-lock');
  await gone(browser, 'service-menu');
  assert.match(readFileSync(config, 'utf8'), /provider = "simulator"/);
});

/** Waits for the PIN pad to say a wrong PIN leaves `n` attempts, and the pad to be ready again. */
async function attemptsLeft(n) {
  await until(
    browser,
    (left) => {
      const notice = document.querySelector('[data-testid="pin-notice"]');
      const enter = document.querySelector('[data-testid="pin-key-1"]');
      return notice?.dataset.kind === 'wrong' && new RegExp(`\\b${left}\\b`).test(notice.textContent) && enter && !enter.disabled;
    },
    [n],
    { message: `the PIN pad to say ${n} attempts are left` },
  );
}

test('a wrong PIN never opens the service menu and locks it out, even for the right PIN', async () => {
  const offenders = [];
  await waitFor(browser, 'attract');
  // A wrong PIN never opens the menu; the third locks it, the pad says for how long.
  await serviceGesture(browser);
  await waitFor(browser, 'pin-pad');
  await shot('pin', offenders);
  // Each answer is awaited by its own count of attempts left: the notice of the previous wrong
  // PIN already says "wrong", and digits typed while a check is under way would be lost.
  await enterServicePin(browser, '1111');
  await attemptsLeft(2);
  await enterServicePin(browser, '0000');
  await attemptsLeft(1);
  await enterServicePin(browser, '9999');
  await waitAttr(browser, 'pin-pad', 'data-locked', 'true');
  // A 30 s lockout; the countdown rounds the part of a second up.
  assert.match((await read(browser, 'pin-notice')).text, /0:(31|30|29|28)/);
  assert.equal(await browser.$('[data-testid="service-menu"]').isExisting(), false);
  assert.equal(await (await browser.$('[data-testid="pin-key-2"]')).isEnabled(), false);
  await shot('locked', offenders);
  // Even the right PIN is refused while locked, by the back end itself.
  const verdict = await unlockDirectly('2468');
  assert.equal(verdict.kind, 'locked_out', JSON.stringify(verdict));
  await tap(browser, 'pin-close');
  await gone(browser, 'pin-pad');
  assert.deepEqual(offenders, []);
});

test('the lockout survives a restart, and the out-of-service screen leads to the PIN pad', async () => {
  await browser.deleteSession().catch(() => {});
  // Settings the kiosk cannot use: it starts out of service and says why.
  const text = readFileSync(config, 'utf8');
  writeFileSync(config, text.replace(/idle_timeout_s = \d+/, 'idle_timeout_s = 1'));
  browser = await open();
  await waitFor(browser, 'screen-out_of_service', 30000);
  assert.match((await read(browser, 'screen-out_of_service')).text, /idle_timeout_s/);
  await serviceGesture(browser);
  await waitAttr(browser, 'pin-pad', 'data-locked', 'true');
  assert.equal((await read(browser, 'pin-notice')).data.kind, 'locked');
  const verdict = await unlockDirectly('2468');
  assert.equal(verdict.kind, 'locked_out', JSON.stringify(verdict));
  writeFileSync(config, text);
});
