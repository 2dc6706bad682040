// Helpers for the end-to-end tests: a real POS simulator process, a kiosk configured against
// it, and a WebDriver session on the real kiosk window (tauri-driver + WebKitWebDriver).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { remote } from 'webdriverio';

const ROOT = resolve(import.meta.dirname, '../..');
export const APP = resolve(ROOT, process.env.KIOSK_APP_BIN ?? 'target/debug/kiosk-app');
export const SIM = resolve(ROOT, process.env.KIOSK_SIM_BIN ?? 'target/debug/pos-sim');
export const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');
const DRIVER_PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

/** Starts `pos-sim` on a free port and returns its URL and admin helpers. */
export async function startSim(pos = 'procart', extraArgs = []) {
  const proc = spawn(SIM, ['--pos', pos, '--listen', '127.0.0.1:0', '--getmenu-latency-ms', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('pos-sim did not print its address')), 15000);
    proc.once('exit', (code) => fail(new Error(`pos-sim exited with ${code}`)));
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      ok(line.trim());
    });
  });
  const admin = async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    url,
    admin,
    /** Every order the simulated POS holds. */
    orders: async () => {
      const r = await admin('GET', '/_sim/orders');
      return Array.isArray(r) ? r : r.orders;
    },
    /** Every payment the simulated terminal recorded. */
    payments: async () => {
      const r = await admin('GET', '/_sim/payments');
      return Array.isArray(r) ? r : r.payments;
    },
    setPayment: (outcome) => admin('POST', '/_sim/payment', { outcome }),
    menu: async () => {
      const res = await fetch(`${url}/api/v3/getmenu?token=${process.env.KIOSK_POS_TOKEN}`);
      return res.json();
    },
    stop: () =>
      new Promise((ok) => {
        if (proc.exitCode !== null) return ok();
        proc.once('exit', ok);
        proc.kill('SIGTERM');
      }),
  };
}

/** Writes a settings file for a kiosk running against `sim` and returns its path. */
export function kioskConfig(sim, overrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-'));
  const idle = overrides.idle_timeout_s ?? 600;
  const countdown = overrides.idle_countdown_s ?? 20;
  const file = join(dir, 'kiosk.toml');
  writeFileSync(
    file,
    `[kiosk]
id = "e2e-1"
data_dir = "${join(dir, 'data')}"
idle_timeout_s = ${idle}
idle_countdown_s = ${countdown}

[pos]
kind = "${overrides.pos ?? 'procart'}"
url = "${sim.url}"

[payment]
provider = "${overrides.provider ?? 'simulator'}"
url = "${sim.url}"
tender = "1"

[order_types]
offered = ["eat_in", "takeaway"]
categories = { eat_in = "1", takeaway = "2" }
`,
  );
  return file;
}

/** Opens the real kiosk window with the given settings. */
export async function openKiosk(configFile) {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: DRIVER_PORT,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: {
      'tauri:options': {
        application: APP,
        args: ['--config', configFile, '--token-env', 'KIOSK_POS_TOKEN'],
      },
    },
  });
  await browser.setTimeout({ implicit: 0 });
  return browser;
}

export const tid = (id) => `[data-testid="${id}"]`;

/** Waits until the element exists and is displayed, and returns it. */
export async function waitFor(browser, id, timeout = 15000) {
  const el = await browser.$(tid(id));
  await el.waitForDisplayed({ timeout, timeoutMsg: `${id} not shown within ${timeout} ms` });
  return el;
}

export async function tap(browser, id, timeout = 15000) {
  const el = await waitFor(browser, id, timeout);
  await el.click();
  return el;
}

export async function gone(browser, id, timeout = 15000) {
  const el = await browser.$(tid(id));
  await el.waitForDisplayed({ timeout, reverse: true, timeoutMsg: `${id} still shown after ${timeout} ms` });
}

/** Saves a screenshot under tests/e2e/artifacts (and docs/ when asked). */
export async function screenshot(browser, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  // Pictures load from the kiosk's cache; wait until every visible one has loaded or failed
  // (a failed one shows the placeholder), then give the frame time to paint.
  await browser
    .waitUntil(
      () => browser.execute(() => Array.from(document.images).every((i) => i.complete)),
      { timeout: 10000, interval: 200 },
    )
    .catch(() => {});
  await browser.pause(400);
  const rect = await browser.getWindowRect();
  // WebKitWebDriver's screenshot can stall under Xvfb; the X server's own capture of the
  // window's area is the same picture and never hangs.
  execFileSync('import', ['-window', 'root', '-crop', `${rect.width}x${rect.height}+${rect.x}+${rect.y}`, '+repage', file]);
  return file;
}

/**
 * Picks, from the simulator's menu, an available dish with at least one required modifier group,
 * and the modifiers that satisfy its required groups.
 */
export function dishWithRequiredModifiers(menu) {
  const schemes = new Map((menu.modifier_schemes ?? []).map((s) => [s.code, s]));
  for (const d of menu.dishes) {
    if (d.remains === 0) continue;
    const scheme = schemes.get(d.modifier_scheme_code);
    if (!scheme) continue;
    const required = scheme.groups.filter((g) => g.min >= 1);
    if (required.length === 0) continue;
    const picks = [];
    for (const g of required) {
      const free = g.modifiers.filter((m) => m.remains !== 0);
      for (let i = 0; i < g.min; i++) picks.push(String(free[i % free.length].code));
    }
    return { dish: String(d.code), category: String(d.category_code), picks };
  }
  throw new Error('the demo menu has no dish with required modifiers');
}

/** From the attract screen to the menu: language, then order type. */
export async function startOrder(browser, { lang = 'ru', orderType = 'takeaway' } = {}) {
  await tap(browser, 'attract', 30000);
  const langButton = await browser.$(tid(`lang-${lang}`));
  if (await langButton.isDisplayed().catch(() => false)) await langButton.click();
  await tap(browser, `order-type-${orderType}`);
  await waitFor(browser, 'screen-menu');
}

/** Adds a dish that needs modifiers: checks the sheet's rule error first, then satisfies it. */
export async function addDishWithModifiers(browser, pick) {
  await tap(browser, `section-${pick.category}`);
  await tap(browser, `card-${pick.dish}`);
  await waitFor(browser, 'dish-sheet');
  await tap(browser, 'add-to-cart');
  await waitFor(browser, 'sheet-error');
  for (const m of pick.picks) await tap(browser, `modifier-${m}`);
  await tap(browser, 'add-to-cart');
  await gone(browser, 'dish-sheet');
}

/** Opens the cart and waits for the POS-confirmed total; returns it as a decimal string. */
export async function posTotal(browser) {
  await tap(browser, 'cart-button');
  const total = await waitFor(browser, 'cart');
  await browser.waitUntil(
    async () => (await (await browser.$(tid('cart-total'))).getAttribute('data-source')) === 'pos',
    { timeout: 15000, timeoutMsg: 'the POS never confirmed the cart total' },
  );
  void total;
  return (await browser.$(tid('cart-total'))).getAttribute('data-total');
}

/** Pay, skipping the upsell step if it is offered. */
export async function pay(browser) {
  await tap(browser, 'checkout-button');
  const upsell = await browser.$(tid('upsell'));
  try {
    await upsell.waitForDisplayed({ timeout: 3000 });
    await tap(browser, 'upsell-skip');
  } catch {
    // no upsell offered for this cart
  }
}
