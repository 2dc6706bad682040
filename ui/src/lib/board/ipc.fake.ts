/**
 * TEST DOUBLE: an in-process stand-in for the core's order board, used when the page runs outside
 * Tauri (a plain browser, Vitest), so the board can be shown and tested without a POS.
 *
 * It keeps a small list of orders, each preparing or ready, with the core's rules in simplified
 * form: preparing oldest first, ready newest first, a number that turned ready in the last minute
 * is `fresh`. Tests (and a browser demo) drive it: `place`, `markReady`, `collect`, `setPosDown`,
 * `failNext`; every change emits `order-updated` as the real core does for its own orders.
 *
 * Switches (URL query of the page): `?latency=0`, `?posdown=1`, `?boardempty=1` (start with no
 * orders), `?boardauto=1` (orders move on by themselves every few seconds, for a demo).
 */
import type { AppInfo } from '../bindings/AppInfo';
import type { BoardView } from '../bindings/BoardView';
import type { IpcError } from '../bindings/IpcError';
import type { Unlisten } from '../ipc';
import type { BoardBackend } from './ipc';

export interface FakeBoardOptions {
  /** Multiplies the simulated delay; 0 answers on the next microtask. */
  latency?: number;
  posDown?: boolean;
  empty?: boolean;
  auto?: boolean;
  languages?: string[];
  restaurantName?: string | null;
}

interface FakeOrder {
  key: string;
  number: string;
  placedAt: number;
  readyAt: number | null;
}

export interface FakeBoardBackend extends BoardBackend {
  /** A new order appears as preparing. Returns its key. */
  place(number: string): string;
  /** The order turns ready now. */
  markReady(key: string): void;
  /** The order was handed over: it leaves the board. */
  collect(key: string): void;
  setPosDown(down: boolean): void;
  /** The next `board()` call rejects with this error. */
  failNext(error: IpcError): void;
  /** Number of `board()` calls answered or rejected so far. */
  readonly calls: number;
  /** Stops the automatic demo, if running. */
  stop(): void;
}

export function fakeBoardOptionsFromUrl(search: string): FakeBoardOptions {
  const q = new URLSearchParams(search);
  const flag = (k: string) => q.has(k) && q.get(k) !== '0';
  return {
    latency: q.has('latency') ? Number(q.get('latency')) : undefined,
    posDown: flag('posdown'),
    empty: flag('boardempty'),
    auto: flag('boardauto'),
  };
}

const FRESH_MS = 60_000;

export function createFakeBoardBackend(options: FakeBoardOptions = {}): FakeBoardBackend {
  const latency = options.latency ?? 1;
  const handlers = new Set<() => void>();
  let orders: FakeOrder[] = [];
  let posDown = options.posDown ?? false;
  let failure: IpcError | null = null;
  let calls = 0;
  let seq = 0;

  const now = () => Date.now();
  const emit = () => handlers.forEach((h) => h());
  const delay = () => new Promise<void>((ok) => setTimeout(ok, 60 * latency));

  const place = (number: string): string => {
    seq += 1;
    const key = `fake-${seq}`;
    orders.push({ key, number, placedAt: now() + seq, readyAt: null });
    emit();
    return key;
  };

  if (!options.empty) {
    for (const n of ['104', '105', '107', '108']) place(n);
    const ready = place('101');
    const older = place('99');
    const o = orders.find((x) => x.key === older)!;
    o.readyAt = now() - 5 * 60_000;
    orders.find((x) => x.key === ready)!.readyAt = now();
  }

  let timer: ReturnType<typeof setInterval> | null = null;
  if (options.auto) {
    let next = 110;
    timer = setInterval(() => {
      const waiting = orders.filter((o) => o.readyAt === null);
      if (waiting.length > 3) {
        waiting[0].readyAt = now();
      } else {
        place(String(next++));
      }
      const ready = orders.filter((o) => o.readyAt !== null);
      if (ready.length > 4) orders = orders.filter((o) => o !== ready[0]);
      emit();
    }, 4000);
  }

  const view = (): BoardView => {
    const t = now();
    const preparing = orders
      .filter((o) => o.readyAt === null)
      .sort((a, b) => a.placedAt - b.placedAt)
      .map((o) => ({ key: o.key, number: o.number, fresh: false }));
    const ready = orders
      .filter((o) => o.readyAt !== null)
      .sort((a, b) => (b.readyAt ?? 0) - (a.readyAt ?? 0))
      .map((o) => ({ key: o.key, number: o.number, fresh: t - (o.readyAt ?? 0) < FRESH_MS }));
    return { preparing, ready, pos_reachable: !posDown, refresh_s: 5 };
  };

  return {
    appInfo: async (): Promise<AppInfo> => ({
      version: '0.0.0-fake',
      demo: true,
      pos: 'procart',
      payment: 'simulator',
      languages: options.languages ?? ['ru', 'en'],
      default_language: (options.languages ?? ['ru'])[0],
      order_types: ['eat_in', 'takeaway'],
      idle_timeout_s: 90,
      idle_countdown_s: 20,
      confirmation_timeout_s: 30,
      restaurant_name: options.restaurantName === undefined ? 'Бургерная «Огонёк»' : options.restaurantName,
      out_of_service: null,
      mode: 'board',
    }),
    board: async () => {
      calls += 1;
      if (latency > 0) await delay();
      if (failure) {
        const e = failure;
        failure = null;
        throw e;
      }
      return view();
    },
    onOrderUpdated: async (handler): Promise<Unlisten> => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    place,
    markReady: (key) => {
      const o = orders.find((x) => x.key === key);
      if (o) o.readyAt = now();
      emit();
    },
    collect: (key) => {
      orders = orders.filter((x) => x.key !== key);
      emit();
    },
    setPosDown: (down) => {
      posDown = down;
    },
    failNext: (error) => {
      failure = error;
    },
    get calls() {
      return calls;
    },
    stop: () => {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
