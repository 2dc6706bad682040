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
