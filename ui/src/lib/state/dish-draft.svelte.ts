/**
 * The dish being chosen in the dish sheet: modifier choices, quantity, rule checks, live price.
 *
 * Rules are counts, not money: a group wants between `min` and `max` choices (counting
 * quantities), a modifier allows up to `max_quantity` of itself. The price shown is the core's
 * estimate for a one-line cart of exactly this choice, refreshed after each change; only the
 * newest answer is kept.
 */
import type { Cart } from '../bindings/Cart';
import type { CartLine } from '../bindings/CartLine';
import type { Dish } from '../bindings/Dish';
import type { Modifier } from '../bindings/Modifier';
import type { ModifierGroup } from '../bindings/ModifierGroup';
import type { Money } from '../bindings/Money';
import type { OrderType } from '../bindings/OrderType';
import type { PricedCart } from '../bindings/PricedCart';
import { MAX_QTY } from './cart.svelte';
import type { MenuState } from './menu.svelte';

export type EstimateFn = (revision: number, cart: Cart) => Promise<PricedCart>;

/** How a group behaves and what to tell the customer about it. */
export interface GroupRule {
  min: number;
  max: number | null;
  /** One choice replaces the other (radio buttons). */
  single: boolean;
  required: boolean;
  /** Every modifier is added by the POS itself: show as "included", nothing to choose. */
  includedOnly: boolean;
}

export function ruleOf(group: ModifierGroup): GroupRule {
  const includedOnly = group.modifiers.length > 0 && group.modifiers.every((m) => m.auto);
  return {
    min: group.min,
    max: group.max,
    single: group.max === 1,
    required: group.min > 0 && !includedOnly,
    includedOnly,
  };
}

let nextRevision = 1;

export class DishDraft {
  readonly dishId: string;
  /** The cart line being edited, or null for a new line. */
  readonly editIndex: number | null;
  qty = $state(1);
  /** Chosen modifier id → quantity (only positive quantities are kept). */
  chosen = $state<Record<string, number>>({});
  /** Set once the customer tried to add with a rule unmet: errors become visible. */
  showErrors = $state(false);
  /** The core's price for this line, or null until the first answer. */
  price = $state<Money | null>(null);
  /** True while a newer price is being asked for. */
  pricePending = $state(false);

  #menu: MenuState;
  #estimate: EstimateFn;
  #orderType: () => OrderType;
  #asked = 0;

  constructor(opts: {
    menu: MenuState;
    estimate: EstimateFn;
    orderType: () => OrderType;
    dishId: string;
    line?: CartLine;
    editIndex?: number;
  }) {
    this.#menu = opts.menu;
    this.#estimate = opts.estimate;
    this.#orderType = opts.orderType;
    this.dishId = opts.dishId;
    this.editIndex = opts.editIndex ?? null;
    if (opts.line) {
      this.qty = opts.line.qty;
      this.chosen = Object.fromEntries(opts.line.modifiers.map((m) => [m.id, m.qty]));
    }
  }

  get dish(): Dish | undefined {
    return this.#menu.dishes.get(this.dishId);
  }

  /** The dish's modifier groups in display order (missing ids are skipped). */
  groups = $derived.by((): ModifierGroup[] =>
    (this.dish?.modifier_groups ?? [])
      .map((id) => this.#menu.groups.get(id))
      .filter((g): g is ModifierGroup => g !== undefined),
  );

  available = $derived(this.dish !== undefined && this.dish.availability.kind !== 'out_of_stock');

  /** Groups whose minimum is not met. */
  missing = $derived(this.groups.filter((g) => ruleOf(g).required && this.countIn(g) < g.min));

  /** Groups over their maximum (only possible when editing a line after a menu change). */
  excess = $derived(this.groups.filter((g) => g.max !== null && this.countIn(g) > g.max));

  valid = $derived(this.available && this.missing.length === 0 && this.excess.length === 0);

  countIn(group: ModifierGroup): number {
    return group.modifiers.reduce((n, m) => n + (this.chosen[m.id] ?? 0), 0);
  }

  qtyOf(modifierId: string): number {
    return this.chosen[modifierId] ?? 0;
  }

  #groupOf(modifierId: string): { group: ModifierGroup; modifier: Modifier } | null {
    for (const group of this.groups) {
      const modifier = group.modifiers.find((m) => m.id === modifierId);
      if (modifier) return { group, modifier };
    }
    return null;
  }

  /** Whether another unit of this modifier may be added now. */
  canAdd(modifierId: string): boolean {
    const found = this.#groupOf(modifierId);
    if (!found || found.modifier.auto || !found.modifier.available) return false;
    const { group, modifier } = found;
    if (this.qtyOf(modifierId) >= modifier.max_quantity) return false;
    if (ruleOf(group).single) return true; // a radio choice replaces the other one
    return group.max === null || this.countIn(group) < group.max;
  }

  /** Tap on a modifier: select it (replacing in single-choice groups) or deselect it. */
  toggle(modifierId: string): void {
    const found = this.#groupOf(modifierId);
    if (!found || found.modifier.auto) return;
    const { group, modifier } = found;
    const next = { ...this.chosen };
    if (next[modifierId]) {
      // A required single choice stays chosen; the customer picks another to change it.
      if (ruleOf(group).single && group.min > 0) return;
      delete next[modifierId];
    } else {
      if (!modifier.available) return;
      if (ruleOf(group).single) {
        for (const m of group.modifiers) delete next[m.id];
      } else if (group.max !== null && this.countIn(group) >= group.max) {
        return;
      }
      next[modifierId] = 1;
    }
    this.chosen = next;
    this.#changed();
  }

  /** One more of a multi-quantity modifier. */
  plus(modifierId: string): void {
    if (!this.canAdd(modifierId)) return;
    const found = this.#groupOf(modifierId);
    if (found && ruleOf(found.group).single && !this.chosen[modifierId]) {
      this.toggle(modifierId);
      return;
    }
    this.chosen = { ...this.chosen, [modifierId]: this.qtyOf(modifierId) + 1 };
    this.#changed();
  }

  /** One fewer of a multi-quantity modifier. */
  minus(modifierId: string): void {
    const n = this.qtyOf(modifierId);
    if (n === 0) return;
    const next = { ...this.chosen };
    if (n === 1) delete next[modifierId];
    else next[modifierId] = n - 1;
    this.chosen = next;
    this.#changed();
  }

  setQty(qty: number): void {
    const next = Math.max(1, Math.min(MAX_QTY, qty));
    if (next === this.qty) return;
    this.qty = next;
    this.#changed();
  }

  /** The line as the cart takes it. Auto modifiers are the POS's business and are not sent. */
  toLine(): CartLine {
    const modifiers = this.groups
      .flatMap((g) => g.modifiers)
      .filter((m) => !m.auto && (this.chosen[m.id] ?? 0) > 0)
      .map((m) => ({ id: m.id, qty: this.chosen[m.id] }));
    return { dish: this.dishId, qty: this.qty, modifiers };
  }

  /** The line if every rule is met; otherwise shows the errors and returns null. */
  submit(): CartLine | null {
    if (!this.valid) {
      this.showErrors = true;
      return null;
    }
    return this.toLine();
  }

  /** Asks the core for the price of this choice; only the newest answer is kept. */
  refreshPrice(): Promise<void> {
    const asked = ++this.#asked;
    const revision = nextRevision++;
    this.pricePending = true;
    return this.#estimate(revision, { order_type: this.#orderType(), lines: [this.toLine()] }).then(
      (answer) => {
        if (asked !== this.#asked) return;
        this.price = answer.quote.total;
        this.pricePending = false;
      },
      () => {
        if (asked === this.#asked) this.pricePending = false;
      },
    );
  }

  #changed(): void {
    void this.refreshPrice();
  }
}
