#!/usr/bin/env node
/**
 * Screenshots of every kiosk screen against `vite preview` with the fake backend, in the three
 * target layouts (1080×1920 portrait kiosk, 1920×1080 landscape, 1280×800 tablet).
 *
 * Not part of `npm test`: it needs Debian's chromium (`apt-get install -y chromium`) and a build.
 *   npm run build && node scripts/screenshots.mjs [--only portrait|landscape|tablet] [--out DIR]
 * PNGs go to ui/screenshots/<layout>/NN-name.png.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(root, 'screenshots');
const PORT = 4179;
const BASE = `http://127.0.0.1:${PORT}/`;

const LAYOUTS = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
  tablet: { width: 1280, height: 800 },
};

async function waitForServer(url, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`preview server did not start at ${url}`);
}

const tid = (id) => `[data-testid="${id}"]`;

async function run() {
  const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const userDataDir = await mkdtemp(join(tmpdir(), 'kiosk-shots-'));
  let context;
  try {
    await waitForServer(BASE);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
      viewport: LAYOUTS.portrait,
    });
    for (const [name, size] of Object.entries(LAYOUTS)) {
      if (only && only !== name) continue;
      const dir = join(outDir, name);
      await mkdir(dir, { recursive: true });
      await shootLayout(context, size, dir);
      console.log(`${name}: done`);
    }
  } finally {
    await context?.close();
    server.kill('SIGTERM');
    await rm(userDataDir, { recursive: true, force: true });
  }
}

async function shootLayout(context, size, dir) {
  let n = 0;
  const page = await context.newPage();
  await page.setViewportSize(size);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const shot = async (name) => {
    await page.waitForTimeout(250);
    n += 1;
    await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`) });
  };
  const click = (id) => page.click(tid(id));

  // Main flow.
  await page.goto(`${BASE}?latency=0.5`);
  await page.waitForSelector(tid('screen-attract'));
  await page.waitForTimeout(400);
  await shot('attract');
  await click('attract');
  await shot('language');
  await click('lang-ru');
  await shot('order-type');
  await click('order-type-eat_in');
  await page.waitForSelector(tid('card-d-classic'));
  await page.waitForTimeout(500);
  await shot('menu');

  await click('card-d-classic');
  await page.waitForSelector(tid('dish-sheet'));
  await shot('dish-sheet');
  await click('add-to-cart');
  await page.waitForSelector(tid('sheet-error'));
  await shot('dish-sheet-error');
  await click('modifier-m-bbq');
  await click('modifier-m-bacon');
  await click('modifier-m-cheddar-plus');
  await click('modifier-m-cheddar-plus');
  await click('qty-plus');
  await page.waitForTimeout(300);
  await shot('dish-sheet-chosen');
  await click('add-to-cart');

  await click('section-s-combo');
  await click('card-c-lunch');
  await page.waitForSelector(tid('combo-builder'));
  await shot('combo-step1');
  await click('combo-choice-main-d-spicy');
  await click('combo-next');
  await click('combo-choice-side-d-rings');
  await click('combo-next');
  await click('combo-next');
  await page.waitForTimeout(200);
  await shot('combo-summary');
  await click('combo-add');

  await click('section-s-snacks');
  await page.waitForTimeout(200);
  await shot('menu-snacks-out-of-stock');
  await page.fill(tid('search'), 'бургер');
  await shot('menu-search');
  await page.fill(tid('search'), '');

  await click('cart-button');
  await page.waitForSelector(`${tid('cart-total')}[data-source="pos"]`);
  await shot('cart-confirmed');

  // Add a drink the "POS" prices differently, to show the notice.
  await click('back-to-menu');
  await click('section-s-drinks');
  await click('card-d-mors');
  await click('add-to-cart');
  await click('cart-button');
  await page.waitForSelector(tid('cart-total'));
  await shot('cart-estimate');
  await page.waitForSelector(`${tid('cart-total')}[data-source="pos"]`);
  await shot('cart-price-notice');

  await click('checkout-button');
  await page.waitForSelector(tid('upsell'));
  await shot('upsell');
  await click('upsell-skip');
  await page.waitForSelector(tid('payment'));
  await shot('payment-start');
  await page.waitForFunction(() => document.querySelector('[data-testid="payment-status"]')?.textContent?.includes('Приложите'));
  await shot('payment-prompt');
  await page.waitForSelector(tid('confirmation'), { timeout: 20000 });
  await shot('confirmation');

  // Accessibility mode on the menu, English.
  await click('new-order');
  await click('attract');
  await click('lang-en');
  await click('order-type-takeaway');
  await click('a11y-toggle');
  await page.waitForTimeout(300);
  await shot('menu-a11y-en');
  await click('section-s-snacks');
  await click('card-d-wings');
  await shot('dish-sheet-a11y-en');
  await click('close-sheet');
  await click('a11y-toggle');
  await shot('menu-en');

  // Declined payment.
  await page.goto(`${BASE}?latency=0.1&decline=1`);
  await click('attract');
  await click('lang-ru');
  await click('order-type-eat_in');
  await click('card-d-chicken');
  await click('add-to-cart');
  await click('cart-button');
  await page.waitForSelector(`${tid('cart-total')}[data-source="pos"]`);
  await click('checkout-button');
  if (await page.isVisible(tid('upsell'))) await click('upsell-skip');
  await page.waitForSelector(tid('payment-declined'), { timeout: 20000 });
  await shot('payment-declined');

  // QR payment.
  await page.goto(`${BASE}?latency=0.3&qr=1`);
  await click('attract');
  await click('lang-ru');
  await click('order-type-eat_in');
  await click('card-d-chicken');
  await click('add-to-cart');
  await click('cart-button');
  await page.waitForSelector(`${tid('cart-total')}[data-source="pos"]`);
  await click('checkout-button');
  if (await page.isVisible(tid('upsell'))) await click('upsell-skip');
  await page.waitForSelector('.qr svg', { timeout: 20000 });
  await shot('payment-qr');

  // Pay at the counter, then refund path.
  await page.goto(`${BASE}?latency=0.1&counter=1`);
  await click('attract');
  await click('lang-ru');
  await click('order-type-takeaway');
  await click('card-d-chicken');
  await click('add-to-cart');
  await click('cart-button');
  await page.waitForSelector(`${tid('cart-total')}[data-source="pos"]`);
  await click('checkout-button');
  if (await page.isVisible(tid('upsell'))) await click('upsell-skip');
  await page.waitForSelector(tid('confirmation'), { timeout: 20000 });
  await shot('confirmation-pay-at-counter');

  await page.goto(`${BASE}?latency=0.1&refund=1`);
  await click('attract');
  await click('lang-ru');
  await click('order-type-eat_in');
  await click('card-d-chicken');
  await click('add-to-cart');
  await click('cart-button');
  await page.waitForSelector(`${tid('cart-total')}[data-source="pos"]`);
  await click('checkout-button');
  if (await page.isVisible(tid('upsell'))) await click('upsell-skip');
  await page.waitForSelector(tid('confirmation'), { timeout: 20000 });
  await shot('confirmation-refunding');

  // POS refuses a dish; POS down.
  await page.goto(`${BASE}?latency=0.1&refuse=d-cheesecake`);
  await click('attract');
  await click('lang-ru');
  await click('order-type-eat_in');
  await click('section-s-desserts');
  await click('card-d-cheesecake');
  await click('add-to-cart');
  await click('cart-button');
  await page.waitForSelector(tid('price-notice'));
  await shot('cart-dish-refused');

  // Idle question.
  await page.goto(`${BASE}?latency=0.1&idle=2&countdown=15`);
  await click('attract');
  await page.waitForSelector(tid('idle-dialog'), { timeout: 10000 });
  await page.waitForTimeout(1200);
  await shot('idle-dialog');

  // Out of service.
  await page.goto(`${BASE}?latency=0.1&oos=${encodeURIComponent('Нет связи с журналом заказов')}`);
  await page.waitForSelector(tid('screen-out_of_service'));
  await shot('out-of-service');

  await page.close();
  if (errors.length) {
    console.error(`page errors in ${dir}:\n  ${errors.join('\n  ')}`);
    process.exitCode = 1;
  }
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
