import { describe, expect, it } from 'vitest';
import { createFakeService } from './ipc.fake';
import { PinEntry } from './pin.svelte';

/** A clock the test moves: milliseconds for the pad, seconds for the fake back end. */
function clock() {
  let ms = 1_700_000_000_000;
  return { ms: () => ms, s: () => Math.floor(ms / 1000), advance: (d: number) => (ms += d) };
}

function type(entry: PinEntry, pin: string) {
  for (const d of pin) entry.press(d);
}

describe('the PIN pad', () => {
  it('grants a session for the right PIN only', async () => {
    const c = clock();
    const backend = createFakeService({ pin: '2468', now: c.s });
    const entry = new PinEntry(backend, c.ms);
    type(entry, '1111');
    expect(await entry.submit()).toBeNull();
    expect(entry.notice).toEqual({ kind: 'wrong', attemptsLeft: 2 });
    expect(entry.digits).toBe('');
    type(entry, '2468');
    const session = await entry.submit();
    expect(session).toMatch(/^fake-/);
    expect(entry.notice).toBeNull();
  });

  it('needs 4 to 12 digits and takes nothing else', async () => {
    const entry = new PinEntry(createFakeService(), Date.now);
    type(entry, '12');
    expect(entry.canSubmit).toBe(false);
    expect(await entry.submit()).toBeNull();
    entry.press('x');
    entry.press('');
    type(entry, '3456789012345');
    expect(entry.digits).toBe('123456789012');
    entry.erase();
    expect(entry.digits).toBe('12345678901');
  });

  it('locks after three wrong PINs, counts down, refuses the right PIN meanwhile, then opens', async () => {
    const c = clock();
    const backend = createFakeService({ pin: '2468', now: c.s });
    const entry = new PinEntry(backend, c.ms);
    for (let i = 0; i < 3; i++) {
      type(entry, '0000');
      await entry.submit();
    }
    expect(entry.locked).toBe(true);
    expect(entry.retryIn).toBe(30);
    expect(entry.notice).toEqual({ kind: 'locked' });
    // The pad takes no digits while locked.
    type(entry, '2468');
    expect(entry.digits).toBe('');
    expect(entry.canSubmit).toBe(false);
    c.advance(29_000);
    entry.tick();
    expect(entry.retryIn).toBe(1);
    // A second pad (the menu opened again) sees the same lockout from the back end.
    const again = new PinEntry(backend, c.ms);
    await again.load();
    expect(again.locked).toBe(true);
    c.advance(1_000);
    entry.tick();
    expect(entry.locked).toBe(false);
    expect(entry.notice).toBeNull();
    type(entry, '2468');
    expect(await entry.submit()).toMatch(/^fake-/);
  });

  it('doubles the lockout for each further wrong PIN', async () => {
    const c = clock();
    const backend = createFakeService({ pin: '2468', now: c.s });
    const entry = new PinEntry(backend, c.ms);
    for (let i = 0; i < 3; i++) {
      type(entry, '0000');
      await entry.submit();
    }
    c.advance(30_000);
    entry.tick();
    type(entry, '9999');
    await entry.submit();
    expect(entry.retryIn).toBe(60);
  });

  it('says when no PIN is set', async () => {
    const entry = new PinEntry(createFakeService({ fresh: true }), Date.now);
    expect(await entry.load()).toBe(false);
    type(entry, '1234');
    expect(await entry.submit()).toBeNull();
    expect(entry.notice).toEqual({ kind: 'not_set' });
  });
});
