// Memory of the kiosk beside an empty Tauri window, both driven through tauri-driver and
// WebKitWebDriver (run by 13-memory.sh under Xvfb). PSS is summed over the app's process and every
// process below it (WebKitWebProcess, WebKitNetworkProcess, …) from /proc/PID/smaps_rollup, so
// shared pages are counted once across them.
//
// PSS also divides a library's pages among every other process mapping it: WebKit processes of
// other programs running at the time (other tests on a shared machine) make both numbers smaller,
// by up to a third. So the two are measured alternately, ROUNDS times (3 by default), and the
// verdict is on the median of each round's ratio; RSS (shared pages counted in full, whatever
// else runs) and USS (private pages only) are reported beside it.
//
// The kiosk starts from its seeded data folder (500 generated dishes, every picture cached, POS
// gone), goes from the attract screen to the menu and visits every section, scrolling each to its
// end so every card's picture loads. The empty window shows its one picture. Both are measured
// after the page has settled.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpus, totalmem } from 'node:os';

const ROOT = resolve(import.meta.dirname, '../..');
const { remote } = await import(
  pathToFileURL(join(ROOT, 'tests/e2e/node_modules/webdriverio/build/node.js')).href
);
// A port of our own each run, so a driver left by an earlier run is never the one we talk to.
const PORT = Number(process.env.BENCH_DRIVER_PORT ?? 20000 + Math.floor(Math.random() * 10000) * 2);
const TARGET = 1.3;
// Measured this long after the last scroll: WebKit and its script engine give freed memory back
// on timers (garbage collection, the allocator's scavenger), so a few seconds after browsing
// the web process still holds some 15 MiB it is about to return. A kiosk idles far longer than
// this between customers.
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function proc() {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      all.set(Number(name), { pid: Number(name), ppid, comm });
    } catch {
      // the process ended meanwhile
    }
  }
  return all;
}

/** PSS, USS (private pages only: what the process alone costs) and RSS. */
function memKiB(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kib = (key) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
    return { pss: kib('Pss'), uss: kib('Private_Clean') + kib('Private_Dirty'), rss: kib('Rss') };
  } catch {
    return { pss: 0, uss: 0, rss: 0 };
  }
}

/** PSS of every process below the driver, except the driver's own WebKitWebDriver. */
function measure(driverPid) {
  const all = proc();
  const below = new Set([driverPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all.values()) {
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  const parts = [];
  for (const pid of below) {
    const p = all.get(pid);
    if (!p || pid === driverPid || p.comm === 'WebKitWebDriver') continue;
    const m = memKiB(pid);
    parts.push({ pid, comm: p.comm, pss_kib: m.pss, uss_kib: m.uss, rss_kib: m.rss });
  }
  return {
    total_kib: parts.reduce((s, p) => s + p.pss_kib, 0),
    uss_kib: parts.reduce((s, p) => s + p.uss_kib, 0),
    rss_kib: parts.reduce((s, p) => s + p.rss_kib, 0),
    load_average_1m: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
    processes: parts,
  };
}

async function session(application, args) {
  return remote({
    hostname: '127.0.0.1',
    port: PORT,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application, args } },
  });
}

const tid = (id) => `[data-testid="${id}"]`;

async function tap(b, id, timeout = 30000) {
  const el = await b.$(tid(id));
  await el.waitForDisplayed({ timeout, timeoutMsg: `${id} not shown` });
  await el.click();
}

// Pictures on screen have loaded (lazy ones below the fold are not asked for yet).
const imagesSettled = (b) =>
  b.waitUntil(
    () =>
      b.execute(() =>
        Array.from(document.images)
          .filter((i) => {
            // Visible within its scroller (the grid scrolls under the header and cart bar).
            const r = i.getBoundingClientRect();
            let sc = i.parentElement;
            while (sc && !/auto|scroll/.test(getComputedStyle(sc).overflowY)) sc = sc.parentElement;
            const box = sc?.getBoundingClientRect() ?? { top: 0, bottom: window.innerHeight };
            return r.bottom > box.top && r.top < box.bottom && r.width > 0;
          })
          .every((i) => i.complete),
      ),
    { timeout: 20000, interval: 100, timeoutMsg: 'pictures never finished loading' },
  );

async function browseEverySection(b) {
  await tap(b, 'attract');
  // The language screen is offered only with several languages; wait for whichever comes.
  await b.waitUntil(
    async () =>
      (await (await b.$(tid('lang-ru'))).isDisplayed().catch(() => false)) ||
      (await (await b.$(tid('order-type-takeaway'))).isDisplayed().catch(() => false)),
    { timeout: 30000, timeoutMsg: 'neither the language nor the order type screen came' },
  );
  const lang = await b.$(tid('lang-ru'));
  if (await lang.isDisplayed().catch(() => false)) await lang.click();
  await tap(b, 'order-type-takeaway');
  await (await b.$(tid('screen-menu'))).waitForDisplayed({ timeout: 20000 });
  const ids = await b.execute(() =>
    Array.from(document.querySelectorAll('[data-testid^="section-"]')).map((e) => e.dataset.testid),
  );
  let pictures = 0;
  for (const id of ids) {
    await (await b.$(tid(id))).click();
    // Scroll the grid to its end, a screen at a time, so every lazy picture loads.
    for (let step = 0; step < 200; step++) {
      await imagesSettled(b);
      const more = await b.execute(() => {
        // The grid's scroller: the first scrolling ancestor of a card.
        let c = document.querySelector('[data-testid^="card-"]')?.parentElement;
        while (c && !/auto|scroll/.test(getComputedStyle(c).overflowY)) c = c.parentElement;
        if (!c) return false;
        const before = c.scrollTop;
        c.scrollTop = before + c.clientHeight;
        return c.scrollTop > before;
      });
      if (!more) break;
    }
    await imagesSettled(b);
    pictures += await b.execute(
      () =>
        Array.from(document.querySelectorAll('[data-testid^="card-"] img')).filter(
          (i) => i.currentSrc.startsWith('kiosk:') && i.naturalWidth > 0,
        ).length,
    );
  }
  return { sections: ids.length, pictures_seen: pictures };
}

const driver = spawn(process.env.TAURI_DRIVER ?? 'tauri-driver', ['--port', String(PORT), '--native-port', String(PORT + 1)], {
  stdio: 'ignore',
});
try {
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${PORT}/status`).then(() => true, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (driver.exitCode !== null) throw new Error(`tauri-driver exited (${driver.exitCode}); is port ${PORT} taken?`);

  const rounds = [];
  let browsed = null;
  for (let round = 0; round < ROUNDS; round++) {
    const e = await session(process.env.EMPTY_BIN, []);
    await e.waitUntil(() => e.execute(() => document.images[0]?.complete && document.images[0].naturalWidth > 0), {
      timeout: 30000,
      timeoutMsg: 'the empty window never showed its picture',
    });
    await e.pause(SETTLE_MS);
    const empty = measure(driver.pid);
    await e.deleteSession();
    await new Promise((r) => setTimeout(r, 1000));

    const k = await session(process.env.KIOSK_APP_BIN, ['--config', process.env.KIOSK_CONFIG, '--token-env', 'KIOSK_POS_TOKEN']);
    browsed = await browseEverySection(k);
    await k.pause(SETTLE_MS);
    const kiosk = measure(driver.pid);
    await k.deleteSession();
    await new Promise((r) => setTimeout(r, 1000));
    rounds.push({ empty, kiosk, ratio: kiosk.total_kib / empty.total_kib });
    console.log(
      `round ${round + 1}: empty ${(empty.total_kib / 1024).toFixed(1)} MiB, kiosk ${(kiosk.total_kib / 1024).toFixed(1)} MiB PSS, ` +
        `${(kiosk.total_kib / empty.total_kib).toFixed(2)}× (load ${kiosk.load_average_1m})`,
    );
  }

  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    const n = v.length;
    return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  const ratio = median(rounds.map((r) => r.ratio));
  // The round whose ratio is the median one, for the per-process breakdown.
  const mid = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor((rounds.length - 1) / 2)];
  const { empty, kiosk } = mid;
  const med = (side, key) => median(rounds.map((r) => r[side][key]));
  const ussRatio = med('kiosk', 'uss_kib') / med('empty', 'uss_kib');
  const rssRatio = med('kiosk', 'rss_kib') / med('empty', 'rss_kib');
  const mib = (kib) => (kib / 1024).toFixed(1);
  const rows = [
    ['empty Tauri window', `${mib(med('empty', 'total_kib'))} MiB`, empty.processes.map((p) => `${p.comm} ${mib(p.pss_kib)}`).join(', '), ''],
    [
      `kiosk, 500 dishes, ${browsed.sections} sections browsed`,
      `${mib(med('kiosk', 'total_kib'))} MiB`,
      kiosk.processes.map((p) => `${p.comm} ${mib(p.pss_kib)}`).join(', '),
      '',
    ],
    [
      `kiosk / empty (median of ${rounds.length} rounds)`,
      `${ratio.toFixed(2)}×`,
      rounds.map((r) => `${r.ratio.toFixed(2)}×`).join(', '),
      `${ratio <= TARGET ? 'ok' : 'MISSED'} (≤ ${TARGET}×)`,
    ],
    [
      'RSS (shared pages in full) kiosk / empty',
      `${mib(med('kiosk', 'rss_kib'))} / ${mib(med('empty', 'rss_kib'))} MiB = ${rssRatio.toFixed(2)}×`,
      'does not depend on what else runs',
      '',
    ],
    [
      'USS (private pages) kiosk / empty',
      `${mib(med('kiosk', 'uss_kib'))} / ${mib(med('empty', 'uss_kib'))} MiB = ${ussRatio.toFixed(2)}×`,
      'what the app alone costs',
      '',
    ],
  ];
  const head = ['memory (PSS, all processes)', 'total (median)', 'per process (MiB), median round', 'target'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  console.log(`Memory ${SETTLE_MS / 1000} s after the page settled (PSS from /proc/*/smaps_rollup); load average ${load}`);
  console.log(line(head));
  console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
  rows.forEach((r) => console.log(line(r)));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const out = join(ROOT, 'bench/results/13-memory.json');
  writeFileSync(
    out,
    JSON.stringify(
      {
        machine: { cpu: cpus()[0]?.model, cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30) },
        profile: process.env.BENCH_PROFILE ?? 'release',
        app: process.env.KIOSK_APP_BIN,
        empty_app: process.env.EMPTY_BIN,
        rounds,
        empty,
        kiosk,
        browsed,
        ratio,
        ratios: rounds.map((r) => r.ratio),
        rss_ratio: rssRatio,
        uss_ratio: ussRatio,
        settle_ms: SETTLE_MS,
        load_average_1m: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
        target_ratio: TARGET,
        ratio_ok: ratio <= TARGET,
      },
      null,
      2,
    ),
  );
  console.log(`written: ${out}`);
} finally {
  driver.kill();
}
