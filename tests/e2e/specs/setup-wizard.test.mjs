// A new installation, end to end: the kiosk app started with a settings file that does not exist
// (and its data in a temp folder) shows the set-up wizard; an installer who follows only the
// wizard, against the POS simulator, ends with a working kiosk that shows the menu. The POS token
// goes to the OS keyring (a real gnome-keyring in a private D-Bus session), never to a file.
// Screenshots of each step for the README: docs/screens/wizard-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startSim, startKeyring, openProgram, waitFor, waitAttr, tap, typeInto, until, read, screenshot, gone,
  startOrder, layoutOffenders,
} from '../lib.mjs';

const TOKEN = process.env.KIOSK_POS_TOKEN;
let sim;
let keyring;
let browser;
let dir;
let launcher;

before(async () => {
  sim = await startSim();
  keyring = await startKeyring();
  dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-setup-'));
  launcher = keyring.wrap(dir);
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  stopApp();
  keyring?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const args = () => ['--config', join(dir, 'kiosk.toml'), '--data-dir', join(dir, 'data')];

/** The kiosk's process (the launcher records it; a restart keeps the same id). */
function appPid() {
  return Number(readFileSync(join(dir, 'app.pid'), 'utf8').trim());
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
/** The kiosk's log (JSON lines). */
function logLines() {
  try {
    return readFileSync(join(dir, 'data/logs/kiosk.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}
/** Stops every kiosk process this test started (a restart through Tauri would have a new id). */
function stopApp() {
  if (!dir || !existsSync(join(dir, 'app.pid'))) return;
  const pids = new Set([appPid(), ...logLines().map((l) => l.fields?.pid).filter(Boolean)]);
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
}

/** Every file under `root`, with its text. */
function filesUnder(root) {
  const out = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push([p, readFileSync(p).toString('latin1')]);
  }
  return out;
}

async function step(name) {
  await waitAttr(browser, 'wizard', 'data-step', name);
}

async function shot(name, offenders) {
  await screenshot(browser, `wizard-${name}`, { docs: true });
  offenders.push(...(await layoutOffenders(browser)).map((o) => `wizard-${name}: ${o}`));
}

test('a fresh install goes through the wizard to a kiosk that shows the menu', async () => {
  const offenders = [];
  browser = await openProgram(launcher, args());
  await waitFor(browser, 'wizard', 30000);
  await step('device');
  assert.equal(existsSync(join(dir, 'kiosk.toml')), false);

  // 1. The device: a customer kiosk, its id and the restaurant's name.
  await tap(browser, 'mode-customer');
  await typeInto(browser, 'kiosk_id', 'hall 2');
  await tap(browser, 'wizard-next');
  // The back end's own words beside the field, and the installer stays on the step.
  const problem = await waitFor(browser, 'problem-kiosk_id');
  assert.match(await problem.getText(), /1 to 20 characters/);
  await typeInto(browser, 'kiosk_id', 'hall-2');
  await typeInto(browser, 'restaurant_name', 'Бургерная «Огонёк»');
  await shot('device', offenders);
  await tap(browser, 'wizard-next');

  // 2. The POS: r_keeper through ProCart, its address, the token into the keyring; a wrong
  //    token fails its own line with the fix, the right one passes every line.
  await step('pos');
  await tap(browser, 'pos-procart');
  await typeInto(browser, 'pos_url', sim.url);
  await typeInto(browser, 'secret-pos_token', 'not-the-token');
  await tap(browser, 'test-connection');
  await waitAttr(browser, 'connection-result', 'data-ok', 'false', 20000);
  const failed = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="connection-lines"] [data-status="fail"]')).map((l) => ({
      id: l.dataset.id,
      text: l.textContent,
    })),
  );
  assert.deepEqual(failed.map((l) => l.id), ['pos.token'], JSON.stringify(failed));
  await typeInto(browser, 'secret-pos_token', TOKEN);
  await tap(browser, 'test-connection');
  await waitAttr(browser, 'connection-result', 'data-ok', 'true', 20000);
  const lines = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="connection-lines"] [data-testid="check-line"]')).map((l) => `${l.dataset.id}:${l.dataset.status}`),
  );
  assert.deepEqual(lines, ['pos.reachable:ok', 'pos.versions:ok', 'pos.cash_server:ok', 'pos.licence:ok', 'pos.token:ok']);
  // The field is empty again: the token is in the keyring, and only there.
  assert.equal(await (await browser.$('[data-testid="secret-pos_token"]')).getValue(), '');
  assert.equal(keyring.lookup('pos-token'), TOKEN);
  await shot('connection', offenders);
  await tap(browser, 'wizard-next');

  // 3. Order types and their POS categories.
  await step('orders');
  await typeInto(browser, 'eat_in_category', '1');
  await typeInto(browser, 'takeaway_category', '2');
  await shot('orders', offenders);
  await tap(browser, 'wizard-next');

  // 4. Payment: the simulated card terminal, tested with a sale that is given back.
  await step('payment');
  await tap(browser, 'provider-simulator');
  await typeInto(browser, 'payment_url', sim.url);
  await typeInto(browser, 'tender', '1');
  await tap(browser, 'test-sale');
  await waitAttr(browser, 'payment-result', 'data-ok', 'true', 30000);
  const payLines = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="payment-lines"] [data-testid="check-line"]')).map((l) => `${l.dataset.id}:${l.dataset.status}`),
  );
  assert.deepEqual(payLines, ['payment:ok', 'payment.sale:ok', 'payment.refund:ok']);
  const payments = await sim.payments();
  assert.equal(payments.length, 1);
  assert.equal(payments[0].amount, '1.00');
  await shot('payment', offenders);
  await tap(browser, 'wizard-next');

  // 5. The guest screen: languages and idle times (the defaults), a wrong value refused.
  await step('screen');
  await typeInto(browser, 'idle_timeout_s', '5');
  await tap(browser, 'wizard-next');
  assert.match(await (await waitFor(browser, 'problem-idle_timeout_s')).getText(), /10 to 3600/);
  await typeInto(browser, 'idle_timeout_s', '120');
  await shot('screen', offenders);
  await tap(browser, 'wizard-next');

  // 6. The service PIN.
  await step('pin');
  await typeInto(browser, 'pin', '2468');
  await typeInto(browser, 'pin2', '2468');
  await shot('pin', offenders);
  await tap(browser, 'wizard-next');

  // 7. Review, save, start.
  await step('finish');
  assert.match((await read(browser, 'summary-connection')).text, /проверено|tested/);
  await shot('finish', offenders);
  const pid = appPid();
  await tap(browser, 'wizard-finish');

  // The settings are written, without the token; the kiosk restarts itself in place (the same
  // process, so a service manager keeps watching it) and comes up with them: its log says so.
  const settingsFile = join(dir, 'kiosk.toml');
  const deadline = Date.now() + 30000;
  let starts = [];
  for (;;) {
    const lines = logLines();
    starts = lines.filter((l) => l.fields?.message === 'kiosk starting');
    const after = lines.slice(lines.lastIndexOf(starts[starts.length - 1]));
    if (existsSync(settingsFile) && starts.length >= 2 && after.some((l) => /menu (updated|loaded)/.test(l.fields?.message ?? ''))) break;
    assert(Date.now() < deadline, `the kiosk did not restart with its settings:\n${JSON.stringify(lines.slice(-20), null, 1)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(starts.map((l) => l.fields.pid), [pid, pid], 'restarted in place');
  const settings = readFileSync(settingsFile, 'utf8');
  assert.match(settings, /kind = "procart"/);
  assert.match(settings, /id = "hall-2"/);
  assert.match(settings, /idle_timeout_s = 120/);
  assert(!settings.includes(TOKEN));
  for (const [file, text] of filesUnder(dir)) assert(!text.includes(TOKEN), `the token is in ${file}`);
  assert.deepEqual(offenders, []);

  // The window the restart opened is the working kiosk; a WebDriver session cannot follow a
  // process that replaced itself, so the test opens the installed kiosk again, as the next boot
  // would, and orders from it.
  await browser.deleteSession().catch(() => {});
  browser = null;
  stopApp();
  for (const end = Date.now() + 10000; alive(pid); ) {
    assert(Date.now() < end, 'the kiosk did not stop');
    await new Promise((r) => setTimeout(r, 50));
  }
  browser = await openProgram(launcher, args());
  await waitFor(browser, 'attract', 30000);
  assert.equal(await browser.$('[data-testid="wizard"]').isExisting(), false);
  await startOrder(browser, { lang: 'ru', orderType: 'eat_in' });
  await until(browser, () => document.querySelectorAll('[data-testid^="card-"]').length > 5, [], { message: 'the menu cards' });
  await gone(browser, 'screen-boot');
});
