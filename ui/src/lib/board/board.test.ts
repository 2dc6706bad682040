import { render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BoardView } from '../bindings/BoardView';
import { en } from '../i18n/en';
import { ru } from '../i18n/ru';
import BoardApp from './BoardApp.svelte';
import { BoardState } from './board.svelte';
import type { BoardBackend } from './ipc';
import { createFakeBoardBackend, type FakeBoardBackend } from './ipc.fake';

let fakes: FakeBoardBackend[] = [];
const fake = (opts: Parameters<typeof createFakeBoardBackend>[0] = {}) => {
  const f = createFakeBoardBackend({ latency: 0, empty: true, ...opts });
  fakes.push(f);
  return f;
};
const states: BoardState[] = [];
const boardOver = (port: BoardBackend) => {
  const s = new BoardState(port);
  states.push(s);
  return s;
};

afterEach(() => {
  states.splice(0).forEach((s) => s.stop());
  fakes.splice(0).forEach((f) => f.stop());
  vi.useRealTimers();
});

const numbers = (v: BoardView | null) => ({
  preparing: v?.preparing.map((o) => o.number) ?? [],
  ready: v?.ready.map((o) => o.number) ?? [],
});

describe('BoardState', () => {
  it('shows the board at start, in the kiosk languages', async () => {
    const f = fake({ languages: ['en', 'ru'] });
    f.place('12');
    const s = boardOver(f);
    await s.start();
    expect(numbers(s.view)).toEqual({ preparing: ['12'], ready: [] });
    expect(s.primary).toBe(en);
    expect(s.secondary).toBe(ru);
  });

  it('has no second language when the kiosk speaks one', async () => {
    const s = boardOver(fake({ languages: ['ru'] }));
    await s.start();
    expect(s.primary).toBe(ru);
    expect(s.secondary).toBeNull();
  });

  it('asks again when an order changes', async () => {
    const f = fake();
    const s = boardOver(f);
    await s.start();
    const key = f.place('7');
    await waitFor(() => expect(numbers(s.view).preparing).toEqual(['7']));
    f.markReady(key);
    await waitFor(() => expect(numbers(s.view)).toEqual({ preparing: [], ready: ['7'] }));
    expect(s.view!.ready[0].fresh).toBe(true);
  });

  it('coalesces a burst of events into one more request', async () => {
    const f = fake({ latency: 1 });
    const s = boardOver(f);
    await s.start();
    const before = f.calls;
    const first = s.refresh();
    for (let i = 0; i < 5; i++) f.place(String(i));
    await first;
    await waitFor(() => expect(numbers(s.view).preparing).toHaveLength(5));
    // The refresh in flight, then exactly one for everything that happened meanwhile.
    expect(f.calls - before).toBe(2);
  });

  it('keeps the last board when a refresh fails', async () => {
    const f = fake();
    f.place('5');
    const s = boardOver(f);
    await s.start();
    f.failNext({ code: 'internal', message: 'boom' });
    await s.refresh();
    expect(s.error?.code).toBe('internal');
    expect(numbers(s.view).preparing).toEqual(['5']);
    await s.refresh();
    expect(s.error).toBeNull();
  });

  it('refreshes on its own every refresh_s seconds, and not after stop', async () => {
    vi.useFakeTimers();
    const f = fake();
    const s = boardOver(f);
    await s.start();
    const n = f.calls;
    await vi.advanceTimersByTimeAsync(5000);
    expect(f.calls).toBe(n + 1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(f.calls).toBe(n + 2);
    s.stop();
    await vi.advanceTimersByTimeAsync(20000);
    expect(f.calls).toBe(n + 2);
  });
});

describe('BoardApp', () => {
  it('shows both columns with headings in both languages and the numbers in place', async () => {
    const f = fake();
    f.place('41');
    f.place('42');
    f.markReady(f.place('40'));
    render(BoardApp, { board: boardOver(f) });
    await waitFor(() => screen.getByTestId('ready-40'));
    const prep = screen.getByTestId('board-preparing');
    const ready = screen.getByTestId('board-ready');
    expect(prep.textContent).toContain('Готовится');
    expect(prep.textContent).toContain('Preparing');
    expect(ready.textContent).toContain('Готово');
    expect(ready.textContent).toContain('Ready');
    expect(prep.querySelector('[data-testid="preparing-41"]')).not.toBeNull();
    expect(prep.querySelector('[data-testid="preparing-42"]')).not.toBeNull();
    expect(ready.querySelector('[data-testid="preparing-41"]')).toBeNull();
    const fresh = screen.getByTestId('ready-40');
    expect(fresh.dataset.fresh).toBe('true');
    expect(fresh.classList.contains('fresh')).toBe(true);
    expect(screen.getByTestId('board').textContent).toContain('Бургерная «Огонёк»');
    expect(screen.queryByTestId('board-offline')).toBeNull();
  });

  it('moves a number to Ready when the order changes', async () => {
    const f = fake();
    const key = f.place('77');
    render(BoardApp, { board: boardOver(f) });
    await waitFor(() => screen.getByTestId('preparing-77'));
    f.markReady(key);
    await waitFor(() => screen.getByTestId('ready-77'));
    expect(screen.queryByTestId('preparing-77')).toBeNull();
    f.collect(key);
    await waitFor(() => expect(screen.queryByTestId('ready-77')).toBeNull());
    expect(screen.getByTestId('board-ready').textContent).toContain(ru.board.emptyReady);
  });

  it('counts what does not fit', async () => {
    const f = fake();
    for (let i = 1; i <= 7; i++) f.place(String(i));
    render(BoardApp, { board: boardOver(f), maxPreparing: 5 });
    await waitFor(() => screen.getByTestId('preparing-5'));
    expect(screen.queryByTestId('preparing-6')).toBeNull();
    expect(screen.getByTestId('preparing-more').textContent).toBe('+2');
  });

  it('says when the till is not answering, and keeps the numbers', async () => {
    const f = fake({ posDown: true });
    f.place('9');
    render(BoardApp, { board: boardOver(f) });
    await waitFor(() => screen.getByTestId('board-offline'));
    expect(screen.getByTestId('preparing-9')).toBeTruthy();
  });

  it('says it is out of service when it never got a board', async () => {
    const f = fake();
    f.failNext({ code: 'internal', message: 'no engine' });
    render(BoardApp, { board: boardOver(f) });
    await waitFor(() => screen.getByTestId('board-unavailable'));
    expect(screen.getByTestId('board-unavailable').textContent).toContain(ru.board.unavailable);
    expect(screen.getByTestId('board-unavailable').textContent).toContain(en.board.unavailable);
  });
});
