// The kiosk starts showing its menu, with pictures, while the POS is down: a first kiosk runs
// against the simulator until it has cached the menu and every picture; the simulator stops; a
// new kiosk process on the same data folder comes up on the attract screen and the menu with the
// cached pictures, never asking the POS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startSim, kioskConfig, openKiosk, waitFor, startOrder, screenshot } from '../lib.mjs';

let sim;
let browser;

before(async () => {
  sim = await startSim();
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await sim?.stop();
});

/** Waits for a condition on the file system (the first kiosk's cache), polling. */
async function until(what, check, timeout = 60000) {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The pictures of the cards on screen: where each came from and whether it loaded. */
const cardPictures = (b) =>
  b.execute(() =>
    Array.from(document.querySelectorAll('[data-testid^="card-"] img'))
      .filter((i) => {
        // On screen within the grid's scroller (it scrolls under the header and the cart bar).
        const r = i.getBoundingClientRect();
        let sc = i.parentElement;
        while (sc && !/auto|scroll/.test(getComputedStyle(sc).overflowY)) sc = sc.parentElement;
        const box = sc?.getBoundingClientRect() ?? { top: 0, bottom: window.innerHeight };
        return r.bottom > box.top && r.top < box.bottom;
      })
      .map((i) => ({ src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth })),
  );

const fromCache = (src) => src.startsWith('kiosk:') || src.startsWith('http://kiosk.localhost');

test('a kiosk restarted with the POS down shows the menu and its pictures', async () => {
  const menu = await sim.menu();
  const pictures = menu.dishes.length + (menu.combos ?? []).length;
  const config = kioskConfig(sim);
  const data = join(dirname(config), 'data');

  // First run, POS up: the kiosk saves its snapshot and prefetches every picture.
  browser = await openKiosk(config);
  await waitFor(browser, 'attract', 30000);
  const refs = join(data, 'images', 'refs');
  await until(`${pictures} cached pictures`, () =>
    existsSync(refs) && readdirSync(refs).filter((f) => f.endsWith('.json')).length >= pictures,
  );
  assert.ok(existsSync(join(data, 'menu-snapshot.json')), 'the menu snapshot was saved');
  await browser.deleteSession();
  browser = null;

  // The POS goes away; a new kiosk starts on the same data folder.
  await sim.stop();
  browser = await openKiosk(config);
  await waitFor(browser, 'attract', 30000);
  // The attract screen already shows a dish from the cache.
  await browser.waitUntil(
    () =>
      browser.execute(() =>
        Array.from(document.querySelectorAll('[data-testid="screen-attract"] img')).some(
          (i) => (i.currentSrc || i.src).startsWith('kiosk:') && i.complete && i.naturalWidth > 0,
        ),
      ),
    { timeout: 15000, timeoutMsg: 'the attract screen shows no cached picture' },
  );
  await startOrder(browser, { lang: 'ru', orderType: 'eat_in' });
  const ids = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid^="card-"]')).map((e) => e.dataset.testid.slice(5)),
  );
  assert.ok(ids.length > 0, 'the menu shows cards');
  const known = new Set([...menu.dishes, ...(menu.combos ?? [])].map((d) => String(d.code)));
  assert.deepEqual(ids.filter((id) => !known.has(id)), [], 'every card is from the POS menu');

  await browser.waitUntil(
    async () => {
      const pics = await cardPictures(browser);
      return pics.length > 0 && pics.every((p) => p.complete);
    },
    { timeout: 15000, timeoutMsg: 'the card pictures never finished loading' },
  );
  const pics = await cardPictures(browser);
  const broken = pics.filter((p) => !fromCache(p.src) || p.width === 0);
  assert.deepEqual(broken, [], 'every card on screen shows its cached picture, none the placeholder');
  await screenshot(browser, 'offline-menu');
});
