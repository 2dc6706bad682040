/**
 * Test helpers: controllable promises and a hand-driven pricing port.
 */
import type { Cart } from '../lib/bindings/Cart';
import type { PricedCart } from '../lib/bindings/PricedCart';
import type { QuoteSource } from '../lib/bindings/QuoteSource';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise<void>((r) => setTimeout(r, 0));

/** A priced cart whose total is the given string. */
export function priced(revision: number, total: string, source: QuoteSource = 'pos'): PricedCart {
  return {
    revision: revision,
    quote: { source, lines: [], adjustments: [], subtotal: total, total },
    changes: [],
    problems: [],
  };
}

/** A pricing port whose every call waits for the test to answer it. */
export class ManualPricing {
  estimates: Array<{ revision: number; cart: Cart; d: Deferred<PricedCart> }> = [];
  prices: Array<{ revision: number; cart: Cart; d: Deferred<PricedCart> }> = [];
  inFlight = 0;
  maxInFlight = 0;

  estimate = (revision: number, cart: Cart): Promise<PricedCart> => {
    const d = deferred<PricedCart>();
    this.estimates.push({ revision, cart, d });
    return d.promise;
  };

  price = (revision: number, cart: Cart): Promise<PricedCart> => {
    const d = deferred<PricedCart>();
    this.prices.push({ revision, cart, d });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = () => {
      this.inFlight -= 1;
    };
    d.promise.then(done, done);
    return d.promise;
  };
}
