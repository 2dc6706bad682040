/**
 * The dish being chosen in the dish sheet: modifier choices, quantity, rule checks, live price.
 *
 * The rules themselves live in `ModifierChoice` (shared with the combo builder's parts). The
 * price shown is the core's estimate for a one-line cart of exactly this choice, refreshed
 * after each change; only the newest answer is kept.
 */
import type { Cart } from '../bindings/Cart';
import type { CartLine } from '../bindings/CartLine';
import type { Dish } from '../bindings/Dish';
import type { ModifierGroup } from '../bindings/ModifierGroup';
import type { Money } from '../bindings/Money';
import type { OrderType } from '../bindings/OrderType';
import type { PricedCart } from '../bindings/PricedCart';
import { MAX_QTY } from './cart.svelte';
import type { MenuState } from './menu.svelte';
import { ModifierChoice } from './modifier-choice.svelte';

export { ruleOf, type GroupRule } from './modifier-choice.svelte';

export type EstimateFn = (revision: number, cart: Cart) => Promise<PricedCart>;

/** The modifier groups of a dish in display order (ids the menu lacks are skipped). */
export function groupsOf(menu: MenuState, dishId: string): ModifierGroup[] {
  return (menu.dishes.get(dishId)?.modifier_groups ?? [])
    .map((id) => menu.groups.get(id))
    .filter((g): g is ModifierGroup => g !== undefined);
}

let nextRevision = 1;

export class DishDraft {
  readonly dishId: string;
  /** The cart line being edited, or null for a new line. */
  readonly editIndex: number | null;
  /** The modifier choices and their rules. */
  readonly mods: ModifierChoice;
  qty = $state(1);
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
    this.mods = new ModifierChoice(() => this.groups, opts.line?.modifiers ?? [], () => this.#changed());
    if (opts.line) this.qty = opts.line.qty;
  }

  get dish(): Dish | undefined {
    return this.#menu.dishes.get(this.dishId);
  }

  /** The dish's modifier groups in display order (missing ids are skipped). */
  groups = $derived.by((): ModifierGroup[] => groupsOf(this.#menu, this.dishId));

  available = $derived(this.dish !== undefined && this.dish.availability.kind !== 'out_of_stock');

  /** Chosen modifier id → quantity. */
  get chosen(): Record<string, number> {
    return this.mods.chosen;
  }

  /** Groups whose minimum is not met. */
  missing = $derived.by(() => this.mods.missing);

  /** Groups over their maximum (only possible when editing a line after a menu change). */
  excess = $derived.by(() => this.mods.excess);

  valid = $derived(this.available && this.missing.length === 0 && this.excess.length === 0);

  countIn(group: ModifierGroup): number {
    return this.mods.countIn(group);
  }

  qtyOf(modifierId: string): number {
    return this.mods.qtyOf(modifierId);
  }

  canAdd(modifierId: string): boolean {
    return this.mods.canAdd(modifierId);
  }

  toggle(modifierId: string): void {
    this.mods.toggle(modifierId);
  }

  plus(modifierId: string): void {
    this.mods.plus(modifierId);
  }

  minus(modifierId: string): void {
    this.mods.minus(modifierId);
  }

  setQty(qty: number): void {
    const next = Math.max(1, Math.min(MAX_QTY, qty));
    if (next === this.qty) return;
    this.qty = next;
    this.#changed();
  }

  /** The line as the cart takes it. Auto modifiers are the POS's business and are not sent. */
  toLine(): CartLine {
    return { dish: this.dishId, qty: this.qty, modifiers: this.mods.toList() };
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
