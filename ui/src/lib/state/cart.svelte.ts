/**
 * The customer's cart: lines, a revision that changes with every edit, and its prices.
 *
 * Each edit bumps `revision` and asks for two prices of the new cart: the core's instant local
 * estimate, and the POS's price through the `PriceCoalescer` (one request in flight at a time).
 * The total on screen is the POS's when it has answered for the current revision, otherwise the
 * newest estimate; an answer for an older revision is never shown as current. All amounts are
 * the core's strings; nothing is added up here.
 */
import type { Cart } from '../bindings/Cart';
import type { CartLine } from '../bindings/CartLine';
import type { CartProblem } from '../bindings/CartProblem';
import type { IpcError } from '../bindings/IpcError';
import type { OrderType } from '../bindings/OrderType';
import type { PriceChange } from '../bindings/PriceChange';
import type { PricedCart } from '../bindings/PricedCart';
import type { Quote } from '../bindings/Quote';
import type { QuoteSource } from '../bindings/QuoteSource';
import type { MenuPriceChange } from './cart-view';
import { PriceCoalescer } from './coalescer';

export const MAX_QTY = 99;

/** The backend calls the cart needs (injected, so tests control timing). */
export interface PricingPort {
  estimate(revision: number, cart: Cart): Promise<PricedCart>;
  price(revision: number, cart: Cart): Promise<PricedCart>;
}

/** What the total panel shows. `current` is false while a newer revision is being estimated. */
export interface TotalView {
  source: QuoteSource;
  quote: Quote;
  current: boolean;
}

const rev = (p: PricedCart): number => Number(p.revision);

function sameChoice(a: CartLine, b: CartLine): boolean {
  const key = (l: CartLine) =>
    JSON.stringify([
      l.dish,
      [...l.modifiers].sort((x, y) => x.id.localeCompare(y.id)),
      l.comment ?? '',
      (l.combo ?? []).map((p) => [p.slot, p.dish, p.qty, p.modifiers]),
    ]);
  return key(a) === key(b);
}

export class CartState {
  orderType = $state<OrderType>('eat_in');
  lines = $state<CartLine[]>([]);
  /** Bumped on every change; pricing answers carry it back. */
  revision = $state(0);
  /** The newest estimate received (possibly for an older revision). */
  estimate = $state.raw<PricedCart | null>(null);
  /** The POS's answer, only ever for the current revision. */
  confirmed = $state.raw<PricedCart | null>(null);
  /** Why the POS could not price the current revision. */
  posError = $state.raw<IpcError | null>(null);
  /** A POS request is in flight. */
  pricing = $state(false);
  /**
   * Prices of things in the cart that changed in a menu refresh since they were added (the POS
   * answer's `changes` cannot tell once the kiosk's own menu has the new price too).
   */
  menuChanges = $state.raw<MenuPriceChange[]>([]);

  #port: PricingPort;
  /** Answers for revisions up to this one belong to a cart that was emptied. */
  #emptiedAt = 0;
  #coalescer: PriceCoalescer<PricedCart>;

  constructor(port: PricingPort) {
    this.#port = port;
    this.#coalescer = new PriceCoalescer<PricedCart>({
      send: (revision, cart) => this.#port.price(revision, cart),
      isCurrent: (revision) => revision === this.revision && this.lines.length > 0,
      onAnswer: (revision, answer) => {
        // The core echoes the revision; trust our own bookkeeping if it ever disagrees.
        if (rev(answer) === revision) {
          this.confirmed = answer;
          this.posError = null;
        }
      },
      onError: (_revision, error) => {
        this.posError = error;
      },
      onBusyChange: (busy) => {
        this.pricing = busy;
      },
    });
  }

  /** Number of items (sum of quantities), for the cart button. */
  count = $derived(this.lines.reduce((n, l) => n + l.qty, 0));
  isEmpty = $derived(this.lines.length === 0);

  /** The POS price for the current revision, else the newest estimate. */
  total = $derived.by((): TotalView | null => {
    if (this.lines.length === 0) return null;
    if (this.confirmed && rev(this.confirmed) === this.revision) {
      return { source: 'pos', quote: this.confirmed.quote, current: true };
    }
    if (this.estimate) {
      return { source: 'estimate', quote: this.estimate.quote, current: rev(this.estimate) === this.revision };
    }
    return null;
  });

  /** Rule problems of the current cart (from the estimate, or from the POS's refusal). */
  problems = $derived.by((): CartProblem[] => {
    if (this.lines.length === 0) return [];
    if (this.posError?.problems?.length) return this.posError.problems;
    if (this.estimate && rev(this.estimate) === this.revision) {
      return this.estimate.problems.filter((p) => p.kind !== 'empty');
    }
    return [];
  });

  /** Lines the POS priced differently from the menu. */
  changes = $derived.by((): PriceChange[] =>
    this.confirmed && rev(this.confirmed) === this.revision ? this.confirmed.changes : [],
  );

  /** Menu price changes that still concern a line of the cart. */
  priceNotices = $derived.by((): MenuPriceChange[] =>
    this.menuChanges.filter((c) => this.lines.some((l) => l.dish === c.id)),
  );

  /** Payment may start: the POS has priced exactly this cart and nothing is wrong with it. */
  canCheckout = $derived(
    this.lines.length > 0 &&
      this.confirmed !== null &&
      rev(this.confirmed) === this.revision &&
      this.problems.length === 0,
  );

  /** The cart as the commands take it (a plain copy, not the reactive proxy). */
  snapshot(): Cart {
    return { order_type: this.orderType, lines: $state.snapshot(this.lines) as CartLine[] };
  }

  setOrderType(orderType: OrderType): void {
    if (this.orderType === orderType) return;
    this.orderType = orderType;
    this.#changed();
  }

  /** Adds a line, merging it into an identical one (same dish and choices). Returns its index. */
  add(line: CartLine): number {
    const index = this.lines.findIndex((l) => sameChoice(l, line));
    if (index >= 0) {
      this.lines[index].qty = Math.min(MAX_QTY, this.lines[index].qty + line.qty);
      this.#changed();
      return index;
    }
    this.lines.push(line);
    this.#changed();
    return this.lines.length - 1;
  }

  replace(index: number, line: CartLine): void {
    if (!this.lines[index]) return;
    this.lines[index] = line;
    this.#changed();
  }

  setQty(index: number, qty: number): void {
    const line = this.lines[index];
    const next = Math.max(1, Math.min(MAX_QTY, qty));
    if (!line || line.qty === next) return;
    line.qty = next;
    this.#changed();
  }

  increment(index: number): void {
    const line = this.lines[index];
    if (line) this.setQty(index, line.qty + 1);
  }

  decrement(index: number): void {
    const line = this.lines[index];
    if (line) this.setQty(index, line.qty - 1);
  }

  remove(index: number): void {
    if (!this.lines[index]) return;
    this.lines.splice(index, 1);
    this.#changed();
  }

  clear(): void {
    this.lines = [];
    this.menuChanges = [];
    this.#changed();
  }

  /**
   * Records price changes a menu refresh brought, merged with earlier ones: the customer is told
   * the price they first saw and the one now; a price that went back to it is no change at all.
   */
  noteMenuChanges(changes: MenuPriceChange[]): void {
    const merged = new Map(this.menuChanges.map((c) => [c.id, c]));
    for (const c of changes) {
      const earlier = merged.get(c.id);
      const before = earlier ? earlier.before : c.before;
      if (before === c.now) merged.delete(c.id);
      else merged.set(c.id, { ...c, before });
    }
    this.menuChanges = [...merged.values()];
  }

  /** Prices the same cart again (the menu changed, or the customer asked to retry). */
  reprice(): void {
    this.#changed();
  }

  /** Takes a POS price that arrived another way (checkout said the price changed). */
  acceptPosPrice(priced: PricedCart): void {
    this.revision += 1;
    this.confirmed = { ...priced, revision: this.revision };
    this.posError = null;
    // Keep the estimate in step so problems are read from the same cart.
    if (this.estimate) this.estimate = { ...this.estimate, revision: this.revision };
  }

  #changed(): void {
    this.revision += 1;
    this.confirmed = null;
    this.posError = null;
    if (this.lines.length === 0) {
      this.estimate = null;
      this.#emptiedAt = this.revision;
      this.#coalescer.cancel();
      return;
    }
    const revision = this.revision;
    const cart = this.snapshot();
    this.#port.estimate(revision, cart).then(
      (answer) => {
        // Estimates are fast but may still cross; keep the newest one.
        const newer = this.estimate ? rev(answer) > rev(this.estimate) : rev(answer) > this.#emptiedAt;
        if (this.lines.length > 0 && newer && rev(answer) <= this.revision) this.estimate = answer;
      },
      () => {
        // An estimate that fails leaves the previous one on screen; the POS price still follows.
      },
    );
    this.#coalescer.request(revision, cart);
  }
}
