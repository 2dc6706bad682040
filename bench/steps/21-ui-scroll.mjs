// Frame timing while scrolling a grid of 500 dishes with pictures, in the real kiosk window (run
// by 21-ui-scroll.sh under Xvfb).
//
// The kiosk runs against `pos-sim --menu generated:500` in portrait (1080x1920); a search that
// every generated name matches ("№") puts all the dishes in one grid. The page scrolls the grid
// 40 px every animation frame (2,400 px/s at 60 Hz, a brisk swipe) over 9,000 px, and records
// every frame's time. A frame interval longer than 1.5 × 16.7 ms counts the frames
// it skipped as dropped. Two passes: the first (pictures load and decode as cards come into
// view), then the same again (the pictures it showed are in). Writes bench/results/ui-scroll.json.
import { writeFileSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { startSim, kioskConfig, openKiosk, waitFor, until, startOrder } from '../../tests/e2e/lib.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const DISHES = 500;
const FRAME_MS = 1000 / 60;
/** 40 px a frame is 2,400 px/s at 60 Hz: a brisk swipe. */
const STEP_PX = 40;
/** About 70 cards pass by (three to a row in portrait). */
const DISTANCE_PX = 9000;

/**
 * Scrolls the menu grid down by `STEP_PX` every animation frame over `DISTANCE_PX` (or to its
 * end), in the page; returns the frame timestamps. A fixed step per frame measures what each
 * frame costs; a step by elapsed time would make a slow frame's successor jump a whole screen
 * and cost even more.
 */
function scrollPass(browser) {
  return browser.executeAsync(
    (step, distance, done) => {
      const box = document.querySelector('[data-testid="screen-menu"] .content');
      box.scrollTop = 0;
      const end = Math.min(distance, box.scrollHeight - box.clientHeight);
      const frames = [];
      const tick = (now) => {
        frames.push(now);
        const y = Math.min(end, box.scrollTop + step);
        box.scrollTop = y;
        if (y < end) requestAnimationFrame(tick);
        else requestAnimationFrame((last) => done({ frames: [...frames, last], distance: end }));
      };
      requestAnimationFrame(tick);
    },
    STEP_PX,
    DISTANCE_PX,
  );
}

function summarise(name, { frames, distance }) {
  const intervals = frames.slice(1).map((t, i) => t - frames[i]);
  const dropped = intervals.reduce((n, d) => n + (d > 1.5 * FRAME_MS ? Math.round(d / FRAME_MS) - 1 : 0), 0);
  const duration = frames.at(-1) - frames[0];
  const sorted = [...intervals].sort((a, b) => a - b);
  const expected = Math.round(duration / FRAME_MS);
  return {
    pass: name,
    distance_px: Math.round(distance),
    duration_ms: Math.round(duration),
    frames: intervals.length,
    fps: Math.round((intervals.length / duration) * 10000) / 10,
    dropped_frames: dropped,
    dropped_pct: Math.round((dropped / Math.max(1, expected)) * 1000) / 10,
    p50_frame_ms: Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10,
    p95_frame_ms: Math.round(sorted[Math.floor(sorted.length * 0.95)] * 10) / 10,
    longest_frame_ms: Math.round(sorted.at(-1) * 10) / 10,
  };
}

const sim = await startSim('procart', ['--menu', `generated:${DISHES}`]);
let browser;
const passes = [];
let cards = 0;
try {
  browser = await openKiosk(kioskConfig(sim));
  await startOrder(browser, { lang: 'ru', orderType: 'eat_in' });
  const search = await waitFor(browser, 'search');
  await search.setValue('№');
  cards = await until(
    browser,
    (n) => {
      const count = document.querySelectorAll('[data-testid^="card-"]').length;
      return count >= n ? count : null;
    },
    [DISHES],
    { timeout: 30000, message: `${DISHES} cards in one grid` },
  );
  // The first screenful of pictures in, so the first pass measures scrolling, not start-up.
  await until(
    browser,
    () => {
      const box = document.querySelector('[data-testid="screen-menu"] .content').getBoundingClientRect();
      const pics = Array.from(document.querySelectorAll('[data-testid^="card-"] img')).filter((i) => {
        const r = i.getBoundingClientRect();
        return r.top < box.bottom && r.bottom > box.top;
      });
      return pics.length > 0 && pics.every((i) => i.complete);
    },
    [],
    { timeout: 30000, message: 'the first pictures' },
  );
  passes.push(summarise('first (pictures load as they show)', await scrollPass(browser)));
  // Again: the pictures the first pass showed are loaded and decoded now.
  passes.push(summarise('second (pictures loaded)', await scrollPass(browser)));
} finally {
  await browser?.deleteSession().catch(() => {});
  await sim.stop();
}

const out = {
  step: 'ui-scroll',
  what: `scrolling a grid of ${cards} cards with pictures, ${STEP_PX} px per animation frame (${STEP_PX * 60} px/s at 60 Hz) over ${DISTANCE_PX} px`,
  target: 'no dropped frames at 60 Hz (reported, not asserted)',
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? '',
    display: 'Xvfb 1920x1920, WebKitGTK software rendering',
    // Other work on the machine skews the numbers: the 1-minute load average when done.
    load_average_1m: Math.round(loadavg()[0] * 10) / 10,
  },
  app: 'target/debug/kiosk-app (debug build + custom-protocol, as `make app`), window 1080x1920',
  pos: `pos-sim procart --menu generated:${DISHES}`,
  passes,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/ui-scroll.json'), JSON.stringify(out, null, 2) + '\n');

console.log(`scrolling a grid of ${cards} cards, ${STEP_PX} px a frame over ${DISTANCE_PX} px (target: no dropped frames at 60 Hz)`);
console.log('pass                                 | frames |  fps |      dropped | p95 frame | longest');
for (const p of passes) {
  console.log(
    `${p.pass.padEnd(36)} | ${String(p.frames).padStart(6)} | ${String(p.fps).padStart(4)} | ${`${p.dropped_frames} (${p.dropped_pct}%)`.padStart(12)} | ${`${p.p95_frame_ms} ms`.padStart(9)} | ${p.longest_frame_ms} ms`,
  );
}
console.log(`written bench/results/ui-scroll.json (load average ${out.machine.load_average_1m} on ${out.machine.cpus} cores)`);
