// Helpers for the end-to-end tests: a real POS simulator process, a kiosk configured against
// it, and a WebDriver session on the real kiosk window (tauri-driver + WebKitWebDriver).
//
// Speed: every WebDriver command is a round trip through tauri-driver and WebKitWebDriver
// (50–150 ms each, and `isDisplayed` runs a large script). So waits run *inside the page*: one
// asynchronous script polls its condition every 25 ms until it holds or its deadline passes,
// and hands back the element found. A step costs one or two round trips instead of ten.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { remote } from 'webdriverio';
import assert from 'node:assert/strict';

const ROOT = resolve(import.meta.dirname, '../..');
export const APP = resolve(ROOT, process.env.KIOSK_APP_BIN ?? 'target/debug/kiosk-app');
export const SIM = resolve(ROOT, process.env.KIOSK_SIM_BIN ?? 'target/debug/pos-sim');
export const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');
/** Screenshots for the README, written by the end-to-end run. */
export const DOCS_SCREENS = resolve(ROOT, 'docs/screens');
const DRIVER_PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

/** The three screens the kiosk is made for. */
export const LAYOUTS = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
  tablet: { width: 1280, height: 800 },
};

/** Starts `pos-sim` on a free port and returns its URL and admin helpers. */
export async function startSim(pos = 'procart', extraArgs = []) {
  const proc = spawn(SIM, ['--pos', pos, '--listen', '127.0.0.1:0', '--getmenu-latency-ms', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', process.env.E2E_SIM_LOG ? 'inherit' : 'ignore'],
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
    setPayment: (outcome, delayMs) =>
      admin('POST', '/_sim/payment', delayMs === undefined ? { outcome } : { outcome, delay_ms: delayMs }),
    /** The POS changes a dish's price (the kiosk's menu does not know yet). */
    setPrice: (code, price) => admin('POST', '/_sim/menu/price', { code: Number(code), price }),
    /** The POS's remains of a dish: 0 puts it on the stop list, null lifts the limit. */
    setRemains: (code, remains) => admin('POST', '/_sim/menu/remains', { code: Number(code), remains }),
    fault: (fault) => admin('POST', '/_sim/faults', fault),
    clearFaults: () => admin('DELETE', '/_sim/faults'),
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

/**
 * Writes a settings file for a kiosk running against `sim` and returns its path. `overrides`:
 * `idle_timeout_s` (at least 10), `idle_countdown_s`, `confirmation_timeout_s`,
 * `restaurant_name`, `languages`, `pos`, `provider`.
 */
export function kioskConfig(sim, overrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-'));
  const kiosk = {
    id: 'e2e-1',
    data_dir: join(dir, 'data'),
    idle_timeout_s: overrides.idle_timeout_s ?? 600,
    idle_countdown_s: overrides.idle_countdown_s ?? 20,
    ...(overrides.confirmation_timeout_s !== undefined && { confirmation_timeout_s: overrides.confirmation_timeout_s }),
    ...(overrides.restaurant_name !== undefined && { restaurant_name: overrides.restaurant_name }),
    ...(overrides.languages !== undefined && { languages: overrides.languages }),
  };
  const file = join(dir, 'kiosk.toml');
  writeFileSync(
    file,
    `[kiosk]
${Object.entries(kiosk)
  .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
  .join('\n')}

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

/** Opens the real kiosk window with the given settings, in a layout of `LAYOUTS`. */
export async function openKiosk(configFile, layout = 'portrait') {
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
  await browser.setTimeout({ implicit: 0, script: 120000 });
  if (layout !== 'portrait') await setLayout(browser, layout);
  return browser;
}

export const tid = (id) => `[data-testid="${id}"]`;

/**
 * Polls `predicate(...args)` inside the page every 25 ms until it returns something truthy, and
 * returns that (DOM elements come back as WebDriver elements). Throws after `timeout` ms.
 * `predicate` runs in the page: it may use only its arguments and the page's globals.
 */
export async function until(browser, predicate, args = [], { timeout = 15000, message = 'condition' } = {}) {
  const script = `
    const done = arguments[arguments.length - 1];
    const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);
    const predicate = (${predicate.toString()});
    const deadline = Date.now() + ${Number(timeout)};
    (function check() {
      let value = null;
      try { value = predicate(...args); } catch (e) { value = null; }
      if (value) return done({ ok: true, value });
      if (Date.now() > deadline) return done({ ok: false });
      setTimeout(check, 25);
    })();`;
  const result = await browser.executeAsync(script, ...args);
  if (!result?.ok) {
    await failureShot(browser, message);
    throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
  }
  return result.value;
}

/**
 * In the page: the element with this test id when it is rendered and visible, else null. With
 * `reveal`, an element outside its scrolling list is scrolled into view first, as a customer
 * would swipe to it (WebKitWebDriver does not scroll nested lists for a click).
 */
function shown(id, reveal) {
  const el = document.querySelector(`[data-testid="${id}"]`);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  if (!(r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none')) return null;
  if (reveal) {
    let box = el.parentElement;
    while (box && box !== document.body) {
      const o = getComputedStyle(box).overflowY;
      if (o === 'auto' || o === 'scroll') {
        const b = box.getBoundingClientRect();
        if (r.top < b.top || r.bottom > b.bottom) el.scrollIntoView({ block: 'nearest', behavior: 'instant' });
        break;
      }
      box = box.parentElement;
    }
  }
  return el;
}

/** Waits until the element exists and is displayed, and returns it. */
export async function waitFor(browser, id, timeout = 15000, reveal = false) {
  const ref = await until(browser, shown, [id, reveal], { timeout, message: `${id} to show` });
  return browser.$(ref);
}

const TRACE = Boolean(process.env.E2E_TRACE);
let lastStep = Date.now();
/** With E2E_TRACE=1, prints each step and the time since the previous one. */
export function trace(what) {
  if (!TRACE) return;
  const now = Date.now();
  console.log(`  [${String(now - lastStep).padStart(5)} ms] ${what}`);
  lastStep = now;
}

/** Taps (a real WebDriver click: scrolled into view, refused if something covers it). */
export async function tap(browser, id, timeout = 15000) {
  const el = await waitFor(browser, id, timeout, true);
  trace(`shown ${id}`);
  await el.click();
  trace(`tapped ${id}`);
  return el;
}

/** Taps `childId` inside the element `parentId` (test ids repeat across combo parts). */
export async function tapIn(browser, parentId, childId, timeout = 15000) {
  const ref = await until(
    browser,
    (p, c) => {
      const el = document.querySelector(`[data-testid="${p}"] [data-testid="${c}"]`);
      return el && el.getBoundingClientRect().width > 0 ? el : null;
    },
    [parentId, childId],
    { timeout, message: `${childId} in ${parentId}` },
  );
  const el = await browser.$(ref);
  await el.click();
  return el;
}

export async function gone(browser, id, timeout = 15000) {
  await until(browser, (i) => !document.querySelector(`[data-testid="${i}"]`), [id], {
    timeout,
    message: `${id} to go away`,
  });
}

/** Waits until the element's attribute equals `value`; returns every data attribute then. */
export async function waitAttr(browser, id, name, value, timeout = 15000) {
  return until(
    browser,
    (i, n, v) => {
      const el = document.querySelector(`[data-testid="${i}"]`);
      return el && el.getAttribute(n) === v ? { ...el.dataset } : null;
    },
    [id, name, value],
    { timeout, message: `${id} [${name}="${value}"]` },
  );
}

/** The element's text and data attributes, or null when it is not there. */
export async function read(browser, id) {
  return browser.execute((i) => {
    const el = document.querySelector(`[data-testid="${i}"]`);
    return el ? { text: el.textContent.replace(/\s+/g, ' ').trim(), data: { ...el.dataset } } : null;
  }, id);
}

/** Resizes the window to one of `LAYOUTS` and waits until the page has the new size. */
export async function setLayout(browser, layout) {
  const { width, height } = LAYOUTS[layout];
  await browser.setWindowRect(0, 0, width, height);
  await until(browser, (w, h) => innerWidth === w && innerHeight === h, [width, height], {
    timeout: 10000,
    message: `a ${width}x${height} window`,
  });
}

/** Waits for pictures to load (or fail to the placeholder) and animations to end, then 2 frames. */
async function settle(browser) {
  await browser.executeAsync((done) => {
    const deadline = Date.now() + 10000;
    const check = () => {
      // Pictures a person sees: in the window, not scrolled out of their list, not in content
      // the browser skips (content-visibility).
      const images = Array.from(document.images).filter((i) => {
        const r = i.getBoundingClientRect();
        if (!(r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth)) return false;
        if (i.checkVisibility && !i.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) return false;
        let clip = i.parentElement;
        while (clip && !['auto', 'scroll'].includes(getComputedStyle(clip).overflowY)) clip = clip.parentElement;
        const c = clip?.getBoundingClientRect();
        return !c || (r.bottom > c.top && r.top < c.bottom);
      });
      const loaded = images.every((i) => i.complete);
      const animating = document
        .getAnimations()
        .some((a) => a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity);
      if ((loaded && !animating) || Date.now() > deadline) {
        if (Date.now() > deadline) {
          window.__settleTimeout = [
            ...images.filter((i) => !i.complete).map((i) => i.src.slice(0, 80)),
            ...document
              .getAnimations()
              .filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity)
              .map((a) => `${a.constructor.name} ${a.animationName ?? a.transitionProperty ?? ''} on ${a.effect?.target?.className}`),
          ];
        }
        requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
      } else {
        setTimeout(check, 25);
      }
    };
    check();
  });
}

/**
 * Saves a screenshot of the window under tests/e2e/artifacts, or with `docs` a half-size one in
 * docs/screens/ for the README.
 */
export async function screenshot(browser, name, { docs = false } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await settle(browser);
  trace(`settled for ${name}`);
  if (TRACE) {
    const pending = await browser.execute(() => window.__settleTimeout ?? null);
    if (pending) console.log('  not settled after 10 s:', pending);
  }
  const rect = await browser.getWindowRect();
  // WebKitWebDriver's screenshot can stall under Xvfb; the X server's own capture of the
  // window's area is the same picture and never hangs.
  const grab = ['-window', 'root', '-crop', `${rect.width}x${rect.height}+${rect.x}+${rect.y}`, '+repage'];
  if (docs) {
    // Half size is plenty for the README and keeps the repository small.
    mkdirSync(DOCS_SCREENS, { recursive: true });
    execFileSync('import', [...grab, '-resize', '50%', '-strip', join(DOCS_SCREENS, `${name}.png`)]);
  } else {
    execFileSync('import', [...grab, file]);
  }
  trace(`saved ${name}`);
  return file;
}

/** On a failed wait: what the window showed, for the person reading the log. */
async function failureShot(browser, what) {
  try {
    const safe = what.replace(/[^a-z0-9-]+/gi, '_').slice(0, 60);
    await screenshot(browser, `FAILED-${safe}`);
  } catch {
    // the window may be gone; the error itself says enough
  }
}

/** Copies an artifact screenshot (full size) to docs/screens under another name. */
export function publish(artifact, docsName) {
  mkdirSync(DOCS_SCREENS, { recursive: true });
  copyFileSync(join(ARTIFACTS, `${artifact}.png`), join(DOCS_SCREENS, `${docsName}.png`));
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

/** A dish of the simulator's menu by code: `{ code, name, price, category }`, price as "99.90". */
export function dishOf(menu, code) {
  const d = menu.dishes.find((x) => String(x.code) === String(code));
  if (!d) throw new Error(`dish ${code} is not on the menu`);
  return { code: String(d.code), name: d.name, price: money(kop(d.price)), category: String(d.category_code) };
}

/** Decimal string → kopecks, for checking totals in the tests (never in the product). */
export const kop = (s) => {
  const [i, f = ''] = String(s).split('.');
  return Number(i) * 100 + Number((f + '00').slice(0, 2));
};
/** Kopecks → "199.80". */
export const money = (k) => `${Math.floor(k / 100)}.${String(k % 100).padStart(2, '0')}`;

/** From the attract screen to the menu: language, then order type. */
export async function startOrder(browser, { lang = 'ru', orderType = 'takeaway' } = {}) {
  await tap(browser, 'attract', 30000);
  await tap(browser, `lang-${lang}`);
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

/** Adds a dish without required choices from its section. */
export async function addDish(browser, dish) {
  await tap(browser, `section-${dish.category}`);
  await tap(browser, `card-${dish.code}`);
  await tap(browser, 'add-to-cart');
  await gone(browser, 'dish-sheet');
}

/** Waits for the POS-confirmed total on the cart screen; returns it as a decimal string. */
export async function confirmedTotal(browser, timeout = 15000) {
  const data = await waitAttr(browser, 'cart-total', 'data-source', 'pos', timeout);
  return data.total;
}

/** Opens the cart and waits for the POS-confirmed total; returns it as a decimal string. */
export async function posTotal(browser) {
  await tap(browser, 'cart-button');
  await waitFor(browser, 'cart');
  return confirmedTotal(browser);
}

/** Pay, skipping the upsell step if it is offered. */
export async function pay(browser) {
  await tap(browser, 'checkout-button');
  const next = await until(
    browser,
    () => ['upsell', 'screen-payment'].find((id) => document.querySelector(`[data-testid="${id}"]`)) ?? null,
    [],
    { message: 'the upsell or the payment screen' },
  );
  if (next === 'upsell') await tap(browser, 'upsell-skip');
}

/**
 * What the issue forbids on the screen now: a visible control smaller than 48×48 px, a control
 * without a name for screen readers, a transition or finite animation of 200 ms or more.
 * Returns descriptions of offenders (empty when the screen is fine).
 */
export async function layoutOffenders(browser) {
  return browser.execute(() => {
    const out = [];
    const name = (el) =>
      el.dataset.testid ?? el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 30) ?? el.tagName;
    const accessibleName = (el) => {
      const label = el.getAttribute('aria-label');
      if (label && label.trim()) return label;
      const by = el.getAttribute('aria-labelledby');
      if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      if (el.labels?.length) return Array.from(el.labels).map((l) => l.textContent).join(' ').trim();
      return (el.textContent ?? '').trim() || el.getAttribute('title') || el.getAttribute('placeholder') || '';
    };
    for (const el of document.querySelectorAll('button, input, a[href], [role="button"]')) {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
      if (el.classList.contains('backdrop')) continue; // the dimmed area behind a dialog
      if (r.width < 47.5 || r.height < 47.5) out.push(`target ${name(el)}: ${Math.round(r.width)}x${Math.round(r.height)}`);
      if (!accessibleName(el)) out.push(`no name for screen readers: ${name(el)} (${el.outerHTML.slice(0, 80)})`);
    }
    const ms = (v) => Math.max(...v.split(',').map((x) => (x.trim().endsWith('ms') ? parseFloat(x) : parseFloat(x) * 1000)));
    for (const el of document.querySelectorAll('*')) {
      const s = getComputedStyle(el);
      if (s.transitionProperty !== 'none' && ms(s.transitionDuration) >= 200) {
        out.push(`transition ${el.className || el.tagName}: ${s.transitionDuration}`);
      }
    }
    for (const a of document.getAnimations()) {
      const t = a.effect?.getComputedTiming();
      if (t && t.iterations !== Infinity && t.duration >= 200) out.push(`animation ${a.animationName ?? ''}: ${t.duration} ms`);
    }
    return out;
  });
}

/**
 * Screenshots of the screen on display in each layout (the current one first), saved as
 * `${name}-${layout}.png` under artifacts and docs/screens; checks each for `layoutOffenders`.
 * Returns the offenders found, prefixed with the screen and layout.
 */
export async function shots(browser, name, layouts = ['portrait', 'landscape']) {
  const offenders = [];
  for (const layout of layouts) {
    await setLayout(browser, layout);
    await screenshot(browser, `${name}-${layout}`, { docs: true });
    for (const o of await layoutOffenders(browser)) offenders.push(`${name}-${layout}: ${o}`);
  }
  return offenders;
}

/**
 * Moves the keyboard focus to the control `id` with the Tab key, as a keyboard user would. Each
 * round counts how many Tabs the document order needs from the focused control (inside the open
 * dialog, if any, which traps focus) and presses them in one go; where the browser starts its
 * focus search differs (nothing focused yet), another round corrects it. Fails when the control
 * cannot be reached within `max` presses. Returns the number of presses.
 */
export async function tabTo(browser, id, max = 80) {
  let pressed = 0;
  for (;;) {
    const need = await browser.execute((target) => {
      if (document.activeElement?.dataset?.testid === target) return 0;
      const scope = document.querySelector('[role="dialog"]') ?? document;
      const focusable = Array.from(
        scope.querySelectorAll('button, input, a[href], select, textarea, [tabindex]:not([tabindex="-1"])'),
      ).filter((el) => !el.disabled && el.tabIndex >= 0 && el.getBoundingClientRect().width > 0);
      const to = focusable.findIndex((el) => el.dataset.testid === target);
      if (to < 0) return -1;
      const from = focusable.indexOf(document.activeElement);
      return from < 0 ? 1 : (to - from + focusable.length) % focusable.length;
    }, id);
    assert(need >= 0, `${id} cannot take the keyboard focus`);
    if (need === 0) return pressed;
    assert(pressed + need <= max, `${id} not reached with ${max} Tab presses`);
    // One action chain (`keys(['Tab', 'Tab'])` would merge the repeated key into one press).
    let chain = browser.action('key');
    for (let i = 0; i < need; i++) chain = chain.down('\uE004').up('\uE004');
    await chain.perform();
    pressed += need;
  }
}

/** Presses a key (e.g. 'Enter', ' ', 'Escape') on whatever has the focus. */
export async function press(browser, key) {
  await browser.keys([key]);
}

/**
 * Controls above the reach line of the accessibility mode (`--reach-top`), which should be none:
 * everything is in the lower part of the screen.
 */
export async function outOfReach(browser) {
  return browser.execute(() => {
    const probe = document.createElement('div');
    probe.style.cssText = 'position:fixed;top:0;height:var(--reach-top, 0px)';
    document.body.append(probe);
    const line = probe.getBoundingClientRect().height;
    probe.remove();
    const out = [];
    for (const el of document.querySelectorAll('button, input, a[href], [role="button"]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.classList.contains('backdrop')) continue;
      if (r.bottom <= 0 || r.top >= innerHeight) continue;
      // Scrolled out of its list: it shows (below the line) only once scrolled into the list.
      let clip = el.parentElement;
      while (clip && !['auto', 'scroll', 'hidden'].includes(getComputedStyle(clip).overflowY)) clip = clip.parentElement;
      const c = clip?.getBoundingClientRect();
      if (c && (r.bottom <= c.top || r.top >= c.bottom)) continue;
      const top = c ? Math.max(r.top, c.top) : r.top; // the part that shows
      if (top < line - 0.5) out.push(`${el.dataset.testid ?? el.getAttribute('aria-label') ?? el.textContent.trim().slice(0, 30)} at ${Math.round(r.top)} px (line ${Math.round(line)} px)`);
    }
    return line > 0 ? out : ['the accessibility mode has no reach line'];
  });
}

// ---- Staff tablets ---------------------------------------------------------------------------------
// A staff tablet is the same app with `[kiosk] mode = "staff"`. Its orders come from the kiosk's
// journal (written here by `kioskctl`, the same engine, on the same data folder) and from the POS
// simulator; its staff from `staff.toml` in the data folder (`kioskctl staff add-member`).

import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** kioskctl, built beside the simulator by `make app`. */
export const KIOSKCTL = resolve(dirname(SIM), 'kioskctl');

/** pos-sim's Jupiter defaults: a registered server id, the kiosk user's password, staff. */
export const JUPITER = {
  serverId: '25162093',
  kioskPassword: '1111',
  trofimova: { password: '11112', card: ';7001234567=0000?', uid: '4:1:0:15', name: 'Трофимова В.А.' },
  pikarov: { password: '2222', uid: '4:1:0:16', name: 'Пикаров Б.К.' },
};

/**
 * A staff tablet's settings against `sim` (`procart` or `jupiter`): returns
 * `{ file, dir, dataDir, pos, posUrl, tender, secret, user }` for `openStaff` and `kioskctl`.
 */
export function staffKiosk(sim, { pos = 'procart', restaurant = 'Бургерная «Огонёк»' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-staff-e2e-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const jupiter = pos === 'jupiter';
  const posUrl = jupiter ? `${sim.url}/jpos/index.php` : sim.url;
  const tender = jupiter ? 'paymentCard' : '1';
  const file = join(dir, 'kiosk.toml');
  writeFileSync(
    file,
    `[kiosk]
id = "staff-e2e"
mode = "staff"
data_dir = ${JSON.stringify(dataDir)}
restaurant_name = ${JSON.stringify(restaurant)}

[pos]
kind = "${pos}"
url = "${posUrl}"

[payment]
provider = "simulator"
url = "${sim.url}"
tender = "${tender}"

[order_types]
offered = ["eat_in", "takeaway"]
categories = ${jupiter ? '{}' : '{ eat_in = "1", takeaway = "2" }'}
`,
  );
  return {
    file, dir, dataDir, pos, posUrl, tender,
    secret: jupiter ? JUPITER.serverId : process.env.KIOSK_POS_TOKEN,
    user: jupiter ? JUPITER.kioskPassword : null,
  };
}

/**
 * Runs kioskctl on the tablet's POS and data folder (so its checkouts land in the tablet's
 * journal) with `--json`; `env` adds variables (PINs, passwords), `crashAt` arms a crash point,
 * `dataDir` overrides the folder (another device). Returns `{ status, signal, json, stderr }`.
 */
export function kioskctl(kiosk, args, { env = {}, crashAt = '', dataDir = kiosk.dataDir } = {}) {
  const base = ['--pos', kiosk.pos, '--url', kiosk.posUrl, '--token-env', 'E2E_POS_SECRET', '--data-dir', dataDir, '--tender', kiosk.tender];
  if (kiosk.user) base.push('--user-env', 'E2E_POS_USER');
  if (kiosk.pos === 'procart') base.push('--category', 'eat_in=1', '--category', 'takeaway=2');
  const r = spawnSync(KIOSKCTL, [...base, '--retry-ms', '50', '--json', ...args], {
    encoding: 'utf8',
    timeout: 60000,
    env: { ...process.env, E2E_POS_SECRET: kiosk.secret, E2E_POS_USER: kiosk.user ?? '', KIOSK_CRASH_AT: crashAt, ...env },
  });
  let json = null;
  try {
    json = r.stdout.trim() ? JSON.parse(r.stdout) : null;
  } catch {
    json = null;
  }
  return { status: r.status, signal: r.signal, json, stderr: r.stderr };
}

/** kioskctl that must succeed: its JSON answer. */
export function kioskctlOk(kiosk, args, opts) {
  const r = kioskctl(kiosk, args, opts);
  assert.equal(r.status, 0, `kioskctl ${args.join(' ')} failed (${r.signal ?? r.status}): ${r.stderr}`);
  return r.json;
}

/** Adds a member to the tablet's staff.toml; with `pin`, their PIN (stored hashed). */
export function addStaffMember(kiosk, id, name, pin) {
  const args = ['staff', 'add-member', '--id', id, '--name', name];
  if (pin) args.push('--new-pin-env', 'E2E_NEW_PIN');
  return kioskctlOk(kiosk, args, { env: { E2E_NEW_PIN: pin ?? '' } });
}

/** Sets a line of the tablet's staff.toml (e.g. `idle_logout_s`, 30 to 3600). */
export function setStaffSetting(kiosk, key, value) {
  const path = join(kiosk.dataDir, 'staff.toml');
  let text = readFileSync(path, 'utf8');
  const line = `${key} = ${JSON.stringify(value)}`;
  text = new RegExp(`^${key} = .*$`, 'm').test(text) ? text.replace(new RegExp(`^${key} = .*$`, 'm'), line) : `${line}\n${text}`;
  writeFileSync(path, text);
}

/** A cart file of `lines` for `kioskctl order`. */
export function cartFile(kiosk, lines, orderType = 'takeaway') {
  const file = join(kiosk.dir, `cart-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ order_type: orderType, lines }));
  return file;
}

/** A dish of the ProCart simulator's menu that needs no choices: `{ code, name, price }`. */
export function plainDish(menu) {
  const schemes = new Map((menu.modifier_schemes ?? []).map((s) => [s.code, s]));
  const d = menu.dishes.find((x) => x.remains !== 0 && (schemes.get(x.modifier_scheme_code)?.groups ?? []).every((g) => g.min === 0));
  if (!d) throw new Error('the demo menu has no dish without required choices');
  return { code: String(d.code), name: d.name, price: money(kop(d.price)) };
}

/**
 * Opens the staff tablet (1280x800) with the settings of `kiosk`. The POS secrets reach the app
 * through a small launcher that sets them in its environment (`--token-env`, `--user-env`).
 */
export async function openStaff(kiosk, layout = 'tablet') {
  const launcher = join(kiosk.dir, 'kiosk-app.sh');
  const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    launcher,
    `#!/bin/sh\nexport E2E_POS_SECRET=${q(kiosk.secret)}\nexport E2E_POS_USER=${q(kiosk.user ?? '')}\nexec ${q(APP)} "$@"\n`,
  );
  chmodSync(launcher, 0o755);
  const args = ['--config', kiosk.file, '--token-env', 'E2E_POS_SECRET'];
  if (kiosk.user) args.push('--user-env', 'E2E_POS_USER');
  const browser = await remote({
    hostname: '127.0.0.1',
    port: DRIVER_PORT,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application: launcher, args } },
  });
  await browser.setTimeout({ implicit: 0, script: 120000 });
  await setLayout(browser, layout);
  return browser;
}

/** Types text into the focused element or the element with this test id. */
export async function typeInto(browser, id, text) {
  const el = await waitFor(browser, id);
  await el.click();
  await el.setValue(text);
  return el;
}

// ---- Jupiter (JPOS) and the order board -------------------------------------------------------

/** The simulated Jupiter's kiosk service user (`pos_sim::jupiter::KIOSK_USER`). */
export const JUPITER_KIOSK_USER = '4:1:0:14';

/**
 * Starts `pos-sim` as Jupiter. The driver hands the app one secret variable (KIOSK_POS_TOKEN), so
 * the simulated Jupiter registers it both as a server id and as the password of a kiosk service
 * user (the same user id as the demo's kiosk user). Adds JPOS calls and Jupiter's admin views.
 */
export async function startJupiterSim(extraArgs = []) {
  const sim = await startSim('jupiter', extraArgs);
  const secret = process.env.KIOSK_POS_TOKEN;
  const cfg = await sim.admin('GET', '/_sim/config');
  await sim.admin('POST', '/_sim/config', {
    server_ids: [...cfg.server_ids, secret],
    staff: [...cfg.staff, { name: 'Киоск E2E', password: secret, card_track: null, user_id: JUPITER_KIOSK_USER }],
  });
  /** One JPOS command as a client would send it; throws on Jupiter's error envelope. */
  const jpos = async (command, fields = {}) => {
    const res = await fetch(`${sim.url}/jpos/index.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command, serverId: secret, ...fields }),
    });
    const body = await res.json();
    if (body.status !== 'ok') throw new Error(`${command}: ${body.message}`);
    return body;
  };
  return {
    ...sim,
    jpos,
    getTT: () => jpos('getTT'),
    /** Kitchen tickets and bills printed so far. */
    prints: async () => (await sim.admin('GET', '/_sim/prints')).prints,
    /** Patches the simulated Jupiter's behaviour (discounts, clients, quirks…). */
    config: (patch) => sim.admin('POST', '/_sim/config', patch),
    /** Staff close the order in Jupiter. */
    close: (uid) => sim.admin('POST', `/_sim/orders/${encodeURIComponent(uid)}/close`),
  };
}

/**
 * Writes a settings file for a kiosk on the simulated Jupiter. `overrides`: those of
 * `kioskConfig` plus `strategy` (`pay_first`, `submit_first`) and `mode` (`customer`, `board`).
 */
export function jupiterConfig(sim, overrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-jupiter-'));
  const kiosk = {
    id: overrides.id ?? 'e2e-j',
    data_dir: overrides.data_dir ?? join(dir, 'data'),
    idle_timeout_s: overrides.idle_timeout_s ?? 600,
    idle_countdown_s: overrides.idle_countdown_s ?? 20,
    ...(overrides.confirmation_timeout_s !== undefined && { confirmation_timeout_s: overrides.confirmation_timeout_s }),
    ...(overrides.restaurant_name !== undefined && { restaurant_name: overrides.restaurant_name }),
    ...(overrides.mode !== undefined && { mode: overrides.mode }),
  };
  const file = join(dir, 'kiosk.toml');
  writeFileSync(
    file,
    `[kiosk]
${Object.entries(kiosk)
  .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
  .join('\n')}

[pos]
kind = "jupiter"
url = "${sim.url}/jpos/index.php"
strategy = "${overrides.strategy ?? 'pay_first'}"

[payment]
provider = "${overrides.provider ?? 'simulator'}"
url = "${sim.url}"
tender = "paymentCard"
tender_name = "Банковская карта"

[order_types]
offered = ["eat_in", "takeaway"]
categories = {}
`,
  );
  return file;
}

/**
 * Opens the real window with the given settings and extra arguments (e.g. `['--mode', 'board']`).
 * The POS secret and, for Jupiter, the user's password both come from KIOSK_POS_TOKEN.
 */
export async function openApp(configFile, { layout = 'portrait', args = [] } = {}) {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: DRIVER_PORT,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: {
      'tauri:options': {
        application: APP,
        args: ['--config', configFile, '--token-env', 'KIOSK_POS_TOKEN', '--user-env', 'KIOSK_POS_TOKEN', ...args],
      },
    },
  });
  await browser.setTimeout({ implicit: 0, script: 120000 });
  if (layout !== 'portrait') await setLayout(browser, layout);
  return browser;
}

/**
 * From a getTT answer: a product on a layout with a required, weighted modifier group that
 * allows more than one unit (and an automatic group, when the menu has one), and the picks that
 * fill its required groups up to their maximum weight. Returns `{ dish, section, price, picks,
 * extra, auto }`: `extra` is an item left over (the limit must refuse it), `auto` an automatic
 * group's uid and first item name.
 */
export function jupiterDishWithWeights(tt) {
  const groups = new Map(tt.menu.modifiersSections.map((g) => [g.uid, g]));
  const num = (v) => (v === null || v === undefined || v === '' ? null : Number(v));
  let best = null;
  for (const section of tt.menu.menuSections) {
    for (const b of section.buttons) {
      if (Number(b.is_button) !== 1 || !b.options) continue;
      const own = (b.options.modifiers ?? []).map((u) => groups.get(u)).filter(Boolean);
      const required = own.filter((g) => Number(g.is_auto_modifier) !== 1 && (num(g.weight_min) ?? 0) > 0);
      if (required.length !== 1) continue;
      const g = required[0];
      const max = num(g.weight_max);
      if (max === null || max < 2 || g.buttons.length <= max) continue;
      if (g.buttons.some((m) => Number(m.options.weight ?? 1) !== 1)) continue;
      const auto = own.find((x) => Number(x.is_auto_modifier) === 1);
      const pick = {
        dish: b.uid,
        section: section.uid,
        price: String(b.options.price),
        picks: g.buttons.slice(0, max).map((m) => ({ uid: m.uid, price: String(m.options.price) })),
        extra: g.buttons[max].uid,
        group: g.uid,
        auto: auto ? { group: auto.uid, item: auto.buttons[0].name } : null,
      };
      if (!best || (pick.auto && !best.auto)) best = pick;
    }
  }
  if (!best) throw new Error('the Jupiter demo has no dish with a weighted choice of two or more');
  return best;
}

// ---- Installer and service menu (setup-*, service-* specs) ---------------------------------
import { rmSync as removeTree } from 'node:fs';

/**
 * A private D-Bus session with an unlocked gnome-keyring: the OS keyring of a Linux kiosk, in a
 * throwaway home, so the tests store and read secrets the way an installed kiosk does and never
 * touch the machine's own keyring. `wrap(dir)` writes a launcher for the kiosk app that runs it in
 * that session (tauri-driver starts the application it is given with the driver's environment)
 * and records its process id in `dir/app.pid`. `lookup(name)` reads an entry back as the
 * kiosk stores it (service "kiosk"). `stop()` ends the bus, the daemon and everything in the
 * session.
 */
export async function startKeyring() {
  const home = mkdtempSync(join(tmpdir(), 'kiosk-keyring-'));
  for (const d of ['home', 'data', 'run']) mkdirSync(join(home, d), { recursive: true, mode: 0o700 });
  const env = { ...process.env, HOME: join(home, 'home'), XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: join(home, 'run'), KIOSK_KEYRING_PW: 'kiosk-e2e-unlock' };
  for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'GNOME_KEYRING_CONTROL']) delete env[k];
  const proc = spawn(
    'dbus-run-session',
    ['--', 'sh', '-c', 'printf %s "$KIOSK_KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 3; echo "$DBUS_SESSION_BUS_ADDRESS"; exec sleep 100000'],
    // Its own process group, so that `stop` ends the daemon it starts too.
    { env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const address = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the private keyring did not start (dbus, gnome-keyring: scripts/deps.sh)')), 15000);
    proc.once('exit', (code) => fail(new Error(`dbus-run-session exited with ${code}`)));
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      ok(line.trim());
    });
  });
  const busEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
  delete busEnv.GNOME_KEYRING_CONTROL;
  return {
    address,
    wrap(dir) {
      const launcher = join(dir, 'kiosk-app-in-keyring-session');
      writeFileSync(
        launcher,
        `#!/bin/sh\necho $$ > '${join(dir, 'app.pid')}'\nunset GNOME_KEYRING_CONTROL\nDBUS_SESSION_BUS_ADDRESS='${address}' exec '${APP}' "$@"\n`,
        { mode: 0o755 },
      );
      return launcher;
    },
    lookup(name) {
      try {
        return execFileSync('secret-tool', ['lookup', 'service', 'kiosk', 'username', name], { env: busEnv }).toString();
      } catch {
        return null;
      }
    },
    stop() {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      removeTree(home, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the real kiosk window of `application` (the app, or a launcher of it such as
 * `startKeyring().wrap`) with exactly `args`.
 */
export async function openProgram(application, args, layout = 'portrait') {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: DRIVER_PORT,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application, args } },
  });
  await browser.setTimeout({ implicit: 0, script: 120000 });
  if (layout !== 'portrait') await setLayout(browser, layout);
  return browser;
}

/**
 * The service menu's hidden gesture: `n` quick taps on the top-left corner of the window (a
 * touch pointer at 20, 20, each tap one action chain).
 */
export async function serviceGesture(browser, n = 5) {
  for (let i = 0; i < n; i++) {
    await browser
      .action('pointer', { parameters: { pointerType: 'touch' } })
      .move({ x: 20, y: 20, origin: 'viewport' })
      .down()
      .up()
      .perform();
  }
}

/** Presses the PIN pad's keys for `pin`, then Enter. */
export async function enterServicePin(browser, pin) {
  for (const d of pin) await tap(browser, `pin-key-${d}`);
  await tap(browser, 'pin-enter');
}

// ---- Receipt printer -------------------------------------------------------------------------------
// The ESC/POS printer simulator (`printer-sim`, built beside pos-sim by `make app`) as a process:
// the kiosk prints to its TCP port; its HTTP admin API switches faults and hands back the slips
// as text and PNG.

import { appendFileSync as appendToFile, writeFileSync as writeBytes, mkdirSync as makeDir } from 'node:fs';

export const PRINTER_SIM = resolve(process.env.KIOSK_PRINTER_SIM_BIN ?? resolve(SIM, '..', 'printer-sim'));

/** Starts `printer-sim` on free ports; `mode`: ready, paper_out, cover_open, offline… */
export async function startPrinterSim({ paper = '80', mode = 'ready' } = {}) {
  const proc = spawn(PRINTER_SIM, ['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--paper', paper, '--mode', mode], {
    stdio: ['ignore', 'pipe', process.env.E2E_SIM_LOG ? 'inherit' : 'ignore'],
  });
  const [address, adminUrl] = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('printer-sim did not print its addresses')), 15000);
    proc.once('exit', (code) => fail(new Error(`printer-sim exited with ${code}`)));
    const lines = [];
    createInterface({ input: proc.stdout }).on('line', (line) => {
      lines.push(line.trim());
      if (lines.length === 2) {
        clearTimeout(timer);
        ok(lines);
      }
    });
  });
  const admin = async (method, path, body) => {
    const res = await fetch(adminUrl + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`printer-sim ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    address,
    adminUrl,
    admin,
    /** The printer's state from now on; `replyDelayMs` makes it slow to answer. */
    setMode: (m, replyDelayMs = 0) => admin('POST', '/_sim/mode', { mode: m, reply_delay_ms: replyDelayMs }),
    /** Counters: connections, status queries, bytes and slips received. */
    state: () => admin('GET', '/_sim/state'),
    /** Every complete slip received: `[{ index, bytes, text }]`. */
    slips: () => admin('GET', '/_sim/slips'),
    /** Writes the slip (`last` or its index) as the printer would print it to a PNG file. */
    saveSlipPng: async (file, which = 'last') => {
      const res = await fetch(`${adminUrl}/_sim/slips/${which}.png`);
      if (!res.ok) throw new Error(`slip ${which}.png: HTTP ${res.status} ${await res.text()}`);
      const png = Buffer.from(await res.arrayBuffer());
      makeDir(resolve(file, '..'), { recursive: true });
      writeBytes(file, png);
      return png;
    },
    stop: () =>
      new Promise((ok) => {
        if (proc.exitCode !== null) return ok();
        proc.once('exit', ok);
        proc.kill('SIGTERM');
      }),
  };
}

/**
 * Adds a `[printer]` section for `printer` (from `startPrinterSim`) to a settings file from
 * `kioskConfig`; `policy`: `continue_without_slip` or `out_of_service`. Returns the file.
 */
export function withPrinter(configFile, printer, { policy = 'continue_without_slip', paperMm = 80, statusUrl = null } = {}) {
  appendToFile(
    configFile,
    `
[printer]
connection = "tcp"
address = "${printer.address}"
paper_mm = ${paperMm}
when_cannot_print = "${policy}"
status_timeout_ms = 800
${statusUrl ? `status_url = ${JSON.stringify(statusUrl)}\n` : ''}`,
  );
  return configFile;
}

/** True when the slip's text shows `number` as its big number (wide letters are spaced out). */
export const slipShowsNumber = (text, number) => text.split('\n').some((l) => l.replace(/ /g, '') === number.replace(/ /g, ''));

// ---------------------------------------------------------------------------------------------
// Payments (issue 7): the real payment providers against their simulators.
import { readFileSync as readText } from 'node:fs';

export const PAY_SIM = resolve(ROOT, process.env.KIOSK_PAY_SIM_BIN ?? 'target/debug/pay-sim');
export const SB_PILOT = resolve(ROOT, process.env.KIOSK_SB_PILOT_BIN ?? 'target/debug/sb_pilot');
/** The keys run.sh exports for the payment simulators and the kiosk (`--secret-env`). */
const PAY_KEY = process.env.KIOSK_PAY_KEY ?? 'KioskE2eTerminal';
const PAY_SECRET = process.env.KIOSK_PAY_SECRET ?? 'kiosk-e2e-secret';

/**
 * Starts `pay-sim tbank` or `pay-sim yookassa` on a free port with the test keys. Returns the
 * API's base address (`api`, as the kiosk's settings want it) and admin helpers: the payments
 * it holds, and `act(id, 'pay' | 'reject' | 'expire')` as the customer's bank app would.
 */
export async function startPaySim(api, extraArgs = []) {
  const keys = api === 'tbank' ? ['--terminal-key', PAY_KEY, '--password', PAY_SECRET] : ['--shop-id', PAY_KEY, '--secret-key', PAY_SECRET];
  const proc = spawn(PAY_SIM, [api, '--listen', '127.0.0.1:0', ...keys, ...extraArgs], {
    stdio: ['ignore', 'pipe', process.env.E2E_SIM_LOG ? 'inherit' : 'ignore'],
  });
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('pay-sim did not print its address')), 15000);
    proc.once('exit', (code) => fail(new Error(`pay-sim exited with ${code}`)));
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      ok(line.trim());
    });
  });
  const root = base.replace(/\/v[23]$/, '');
  const admin = async (method, path, body) => {
    const res = await fetch(root + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    api,
    url: base,
    admin,
    /** Every payment the simulated bank holds (T-Bank: amounts in kopecks). */
    payments: () => admin('GET', '/_sim/payments'),
    /** The customer's bank app pays (or the bank rejects, or the QR expires). */
    act: (id, action) => admin('POST', `/_sim/payments/${encodeURIComponent(id)}/${action}`),
    stop: () =>
      new Promise((ok) => {
        if (proc.exitCode !== null) return ok();
        proc.once('exit', ok);
        proc.kill('SIGTERM');
      }),
  };
}

/**
 * Writes the settings for a kiosk paying through a real provider: `kioskConfig(sim, overrides)`
 * with its `[payment]` table replaced. `payment` is `{ provider: 'sbpilot', simConfig }` (the
 * sb_pilot stand-in's JSON settings file) or `{ provider: 'tbank' | 'yookassa', paySim, waitS }`.
 */
export function kioskConfigWithPayment(sim, payment, overrides = {}) {
  const file = kioskConfig(sim, overrides);
  let table;
  if (payment.provider === 'sbpilot') {
    table = `[payment]
provider = "sbpilot"
tender = "1"

[payment.sbpilot]
binary = ${JSON.stringify(SB_PILOT)}
timeout_s = ${payment.timeoutS ?? 60}
env = { SB_PILOT_SIM_CONFIG = ${JSON.stringify(payment.simConfig)} }
`;
  } else {
    table = `[payment]
provider = "${payment.provider}"
url = "${payment.paySim.url}"
tender = "1"

[payment.${payment.provider}]
wait_s = ${payment.waitS ?? 120}
poll_ms = 250
`;
  }
  const text = readText(file, 'utf8').replace(/\[payment\][\s\S]*?(?=\n\[order_types\])/, table);
  writeFileSync(file, text);
  return file;
}

/** The `--secret-env` arguments that hand the kiosk the payment simulator's keys. */
export function paySecretArgs(provider) {
  if (provider === 'tbank') return ['--secret-env', 'tbank-terminal-key=KIOSK_PAY_KEY', '--secret-env', 'tbank-password=KIOSK_PAY_SECRET'];
  if (provider === 'yookassa') return ['--secret-env', 'yookassa-shop-id=KIOSK_PAY_KEY', '--secret-env', 'yookassa-secret-key=KIOSK_PAY_SECRET'];
  return [];
}

/** Opens the real kiosk window with the given settings and extra command-line arguments. */
export async function openKioskWith(configFile, extraArgs = [], layout = 'portrait') {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: DRIVER_PORT,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: {
      'tauri:options': {
        application: APP,
        args: ['--config', configFile, '--token-env', 'KIOSK_POS_TOKEN', ...extraArgs],
      },
    },
  });
  await browser.setTimeout({ implicit: 0, script: 120000 });
  if (layout !== 'portrait') await setLayout(browser, layout);
  return browser;
}

/**
 * Writes the sb_pilot stand-in's settings (`pay_sim::sbpilot::SbPilotSimConfig`) to `file`:
 * `{ scenario, prompt_delay_ms, ... }`; its ledger of charges is `${file}.ledger.json`.
 */
export function writeSbPilotConfig(file, settings) {
  writeFileSync(file, JSON.stringify(settings, null, 2));
  return file;
}

/** The sb_pilot stand-in's ledger: every operation the simulated terminal approved. */
export function sbPilotLedger(file) {
  try {
    return JSON.parse(readText(`${file}.ledger.json`, 'utf8')).entries;
  } catch {
    return [];
  }
}

/** Waits until the payment screen's status line reads `text`; returns the texts seen meanwhile. */
/** Starts noting every payment status the screen shows; call before `pay` so none is missed. */
export async function watchPaymentStatus(browser) {
  await browser.execute(() => {
    const seen = (window.__payStatusSeen = []);
    const note = () => {
      const now = document.querySelector('[data-testid="payment-status"]')?.textContent?.trim();
      if (now && seen[seen.length - 1] !== now) seen.push(now);
    };
    window.__payStatusObserver?.disconnect();
    window.__payStatusObserver = new MutationObserver(note);
    window.__payStatusObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

export async function paymentStatusSeen(browser, text, timeout = 20000) {
  return until(
    browser,
    (wanted) => {
      const seen = (window.__payStatusSeen ??= []);
      const note = () => {
        const now = document.querySelector('[data-testid="payment-status"]')?.textContent?.trim();
        if (now && seen[seen.length - 1] !== now) seen.push(now);
      };
      // A prompt may come and go between two polls (the machine is busy, a screenshot is being
      // taken): an observer notes every status the screen shows from the first call on.
      if (!window.__payStatusObserver) {
        window.__payStatusObserver = new MutationObserver(note);
        window.__payStatusObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
      }
      note();
      return seen.includes(wanted) ? seen.slice() : null;
    },
    [text],
    { timeout, message: `the payment status "${text}"` },
  );
}

// ---- Staff tablet (staff-* specs) ------------------------------------------------------------

/** Waits for the staff tablet's outcome of `action`: its data (`kind`, `tone`) and text. */
export async function staffOutcome(browser, action, expected) {
  const data = await until(
    browser,
    () => {
      const el = document.querySelector('[data-testid="staff-outcome"]');
      return el ? { ...el.dataset, text: el.textContent.trim() } : null;
    },
    [],
    { timeout: 20000, message: `the outcome of ${action}` },
  );
  if (expected) assert.equal(data.kind, expected, data.text);
  return data;
}

/** Taps a staff action on the open order (confirming when asked) and waits for its outcome. */
export async function staffAct(browser, action, { confirm = false, outcome } = {}) {
  // The last outcome goes first, so the one waited for is this action's.
  await browser.execute(() => document.querySelector('[data-testid="staff-outcome"] button')?.click());
  await tap(browser, `action-${action}`);
  if (confirm) await tap(browser, 'staff-confirm-yes');
  return staffOutcome(browser, action, outcome);
}

/** The open order's history on screen as `[what, staff]`, oldest first; `kind`: only those. */
export async function staffHistory(browser, kind = null) {
  return browser.execute(
    (k) =>
      Array.from(document.querySelectorAll('[data-testid="history-entry"]'))
        .filter((e) => !k || e.dataset.kind === k)
        .map((e) => [e.dataset.what, e.dataset.staff])
        .reverse(),
    kind,
  );
}
