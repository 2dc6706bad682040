import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from './idle.svelte';

describe('IdleTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks after the timeout, counts down, then gives up', () => {
    const onExpire = vi.fn();
    const idle = new IdleTimer({ timeoutS: 60, countdownS: 10, onExpire });
    idle.enable();
    vi.advanceTimersByTime(59_000);
    expect(idle.phase).toBe('watching');
    vi.advanceTimersByTime(1_000);
    expect(idle.phase).toBe('asking');
    expect(idle.remaining).toBe(10);
    vi.advanceTimersByTime(4_000);
    expect(idle.remaining).toBe(6);
    vi.advanceTimersByTime(6_000);
    expect(onExpire).toHaveBeenCalledTimes(1);
    expect(idle.phase).toBe('off');
  });

  it('restarts the wait on every touch and dismisses the question', () => {
    const onExpire = vi.fn();
    const idle = new IdleTimer({ timeoutS: 30, countdownS: 5, onExpire });
    idle.enable();
    vi.advanceTimersByTime(25_000);
    idle.touch();
    vi.advanceTimersByTime(25_000);
    expect(idle.phase).toBe('watching');
    vi.advanceTimersByTime(5_000);
    expect(idle.phase).toBe('asking');
    idle.touch();
    expect(idle.phase).toBe('watching');
    vi.advanceTimersByTime(29_000);
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('never fires while disabled (payment, attract screen)', () => {
    const onExpire = vi.fn();
    const idle = new IdleTimer({ timeoutS: 5, countdownS: 5, onExpire });
    idle.enable();
    vi.advanceTimersByTime(6_000);
    idle.disable();
    idle.touch();
    vi.advanceTimersByTime(60_000);
    expect(onExpire).not.toHaveBeenCalled();
    expect(idle.phase).toBe('off');
  });

  it('takes new settings', () => {
    const idle = new IdleTimer({ timeoutS: 90, countdownS: 20, onExpire: () => {} });
    idle.configure(3, 2);
    idle.enable();
    vi.advanceTimersByTime(3_000);
    expect(idle.phase).toBe('asking');
    expect(idle.remaining).toBe(2);
  });
});
