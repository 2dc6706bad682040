import { describe, expect, it } from 'vitest';
import { CornerTaps } from './gesture';

describe('the hidden service gesture', () => {
  it('opens on the fifth tap in the top-left corner within three seconds', () => {
    const g = new CornerTaps();
    const taps = [0, 400, 800, 1200].map((t) => g.tap(10, 20, t));
    expect(taps).toEqual([false, false, false, false]);
    expect(g.tap(60, 60, 2900)).toBe(true);
    // It starts counting again.
    expect(g.tap(10, 10, 3000)).toBe(false);
  });

  it('does not open for slow taps, taps elsewhere, or a tap outside in between', () => {
    const g = new CornerTaps();
    for (const t of [0, 1000, 2000, 3000]) expect(g.tap(5, 5, t)).toBe(false);
    // The first tap (at 0) is more than 3 s before this one: only four count.
    expect(g.tap(5, 5, 3500)).toBe(false);
    expect(g.tap(5, 5, 3600)).toBe(true);

    const h = new CornerTaps();
    for (const t of [0, 100, 200, 300, 400]) expect(h.tap(500, 5, t)).toBe(false);
    for (const t of [0, 100, 200, 300]) h.tap(5, 5, 1000 + t);
    expect(h.tap(300, 300, 1400)).toBe(false);
    expect(h.tap(5, 5, 1500)).toBe(false);
  });

  it('knows its corner', () => {
    const g = new CornerTaps({ taps: 5, withinMs: 3000, size: 96 });
    expect(g.inCorner(0, 0)).toBe(true);
    expect(g.inCorner(95, 95)).toBe(true);
    expect(g.inCorner(96, 10)).toBe(false);
    expect(g.inCorner(-1, 10)).toBe(false);
  });
});
