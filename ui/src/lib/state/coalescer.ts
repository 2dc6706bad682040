/**
 * At most one POS pricing request in flight.
 *
 * The POS's validate call takes up to a couple of seconds, and a customer tapping "+" three times
 * must not queue three of them. While a request runs, newer carts wait in a single slot (each one
 * replacing the last), and when the request ends only the newest is sent. An answer is delivered
 * only if nothing newer is waiting and its revision is still the cart's current one, so a stale
 * price is never shown. `superseded` rejections (the core replaced the request itself) are
 * silent by contract.
 */
import type { Cart } from '../bindings/Cart';
import type { IpcError } from '../bindings/IpcError';
import { asIpcError } from '../ipc-error';

export interface CoalescerHooks<R> {
  send(revision: number, cart: Cart): Promise<R>;
  /** Whether `revision` is still the cart the customer is looking at. */
  isCurrent(revision: number): boolean;
  onAnswer(revision: number, answer: R): void;
  onError(revision: number, error: IpcError): void;
  onBusyChange?(busy: boolean): void;
}

export class PriceCoalescer<R> {
  #hooks: CoalescerHooks<R>;
  #inFlight: number | null = null;
  #waiting: { revision: number; cart: Cart } | null = null;

  constructor(hooks: CoalescerHooks<R>) {
    this.#hooks = hooks;
  }

  /** True while a request is out. */
  get busy(): boolean {
    return this.#inFlight !== null;
  }

  /** The revision waiting for the request in flight to end, if any. */
  get waiting(): number | null {
    return this.#waiting?.revision ?? null;
  }

  /** Asks for a price of `cart` at `revision`: now if idle, else once the current request ends. */
  request(revision: number, cart: Cart): void {
    if (this.#inFlight !== null) {
      this.#waiting = { revision, cart };
      return;
    }
    void this.#send(revision, cart);
  }

  /** Forgets the waiting cart (the cart was emptied); the request in flight is left to finish. */
  cancel(): void {
    this.#waiting = null;
  }

  async #send(revision: number, cart: Cart): Promise<void> {
    this.#inFlight = revision;
    this.#hooks.onBusyChange?.(true);
    try {
      const answer = await this.#hooks.send(revision, cart);
      if (this.#waiting === null && this.#hooks.isCurrent(revision)) this.#hooks.onAnswer(revision, answer);
    } catch (raw) {
      const error = asIpcError(raw);
      if (error.code !== 'superseded' && this.#waiting === null && this.#hooks.isCurrent(revision)) {
        this.#hooks.onError(revision, error);
      }
    } finally {
      this.#inFlight = null;
      const next = this.#waiting;
      this.#waiting = null;
      if (next && this.#hooks.isCurrent(next.revision)) {
        void this.#send(next.revision, next.cart);
      } else {
        this.#hooks.onBusyChange?.(false);
      }
    }
  }
}
