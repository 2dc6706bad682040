/**
 * The combo being put together in the combo builder: one step per slot, then a summary.
 *
 * A slot wants between `min` and `max` dishes from its choices; the slot's default choice is
 * pre-selected when it is available. Each chosen dish (a "part") brings its own modifier groups
 * (a burger needs a sauce, a drink a size): the part's choices are a `ModifierChoice`, with the
 * same rules as the dish sheet, and a slot is complete only when its parts' rules are met too.
 * They are sent as `ComboPick.modifiers`; the core's cart check refuses a combo without them.
 *
 * Price deltas are shown as the core sent them; the combo's price is the core's estimate of a
 * one-line cart, refreshed after each choice.
 */
import type { CartLine } from '../bindings/CartLine';
import type { Combo } from '../bindings/Combo';
import type { ComboPick } from '../bindings/ComboPick';
import type { ComboSlot } from '../bindings/ComboSlot';
import type { ModifierGroup } from '../bindings/ModifierGroup';
import type { Money } from '../bindings/Money';
import type { OrderType } from '../bindings/OrderType';
import { MAX_QTY } from './cart.svelte';
import { groupsOf, type EstimateFn } from './dish-draft.svelte';
import type { MenuState } from './menu.svelte';
import { hasChoices, ModifierChoice } from './modifier-choice.svelte';

let nextRevision = 1_000_000;

/** A part of the combo whose modifier rules are not met. */
export interface PartMissing {
  slot: ComboSlot;
  dish: string;
  groups: ModifierGroup[];
}

const partKey = (slotId: string, dishId: string) => `${slotId}\u0000${dishId}`;

export class ComboDraft {
  readonly comboId: string;
  readonly editIndex: number | null;
  /** Index of the slot on screen; `slots.length` is the summary. */
  step = $state(0);
  /** Slot id → chosen dish ids. */
  picks = $state<Record<string, string[]>>({});
  qty = $state(1);
  price = $state<Money | null>(null);
  pricePending = $state(false);
  /** Set when the customer pressed "next" on an incomplete slot. */
  showErrors = $state(false);

  #menu: MenuState;
  #estimate: EstimateFn;
  #orderType: () => OrderType;
  #asked = 0;
  /**
   * Modifier choices per (slot, dish). Kept when the customer switches to another dish and back,
   * so a choice is not lost to a mis-tap; only the parts picked now are sent.
   */
  #parts = new Map<string, ModifierChoice>();

  constructor(opts: {
    menu: MenuState;
    estimate: EstimateFn;
    orderType: () => OrderType;
    comboId: string;
    line?: CartLine;
    editIndex?: number;
  }) {
    this.#menu = opts.menu;
    this.#estimate = opts.estimate;
    this.#orderType = opts.orderType;
    this.comboId = opts.comboId;
    this.editIndex = opts.editIndex ?? null;
    const combo = this.combo;
    const picks: Record<string, string[]> = {};
    for (const slot of combo?.slots ?? []) {
      const fromLine = opts.line?.combo?.filter((p) => p.slot === slot.id) ?? [];
      for (const p of fromLine) this.#partFor(slot.id, p.dish, p.modifiers);
      if (fromLine.length) picks[slot.id] = fromLine.map((p) => p.dish);
      else if (slot.default_choice && this.choiceAvailable(slot.default_choice)) picks[slot.id] = [slot.default_choice];
      else picks[slot.id] = [];
    }
    this.picks = picks;
    if (opts.line) {
      this.qty = opts.line.qty;
      this.step = combo?.slots.length ?? 0;
    }
  }

  get combo(): Combo | undefined {
    return this.#menu.combos.get(this.comboId);
  }

  slots = $derived<ComboSlot[]>(this.combo?.slots ?? []);
  atSummary = $derived(this.step >= this.slots.length);
  slot = $derived<ComboSlot | null>(this.slots[this.step] ?? null);
  complete = $derived(this.slots.every((s) => this.slotComplete(s)));

  choiceAvailable(dishId: string): boolean {
    const dish = this.#menu.dishes.get(dishId);
    return dish !== undefined && dish.availability.kind !== 'out_of_stock';
  }

  /** The modifier groups a part offers (empty for a dish without choices). */
  groupsOf(dishId: string): ModifierGroup[] {
    return groupsOf(this.#menu, dishId);
  }

  /** Whether a dish, once picked, asks the customer for something (a sauce, a size). */
  hasOptions(dishId: string): boolean {
    return hasChoices(this.groupsOf(dishId));
  }

  /** The modifier choices of a part (created on first use). */
  part(slotId: string, dishId: string): ModifierChoice {
    return this.#partFor(slotId, dishId, []);
  }

  #partFor(slotId: string, dishId: string, initial: ComboPick['modifiers']): ModifierChoice {
    const key = partKey(slotId, dishId);
    let part = this.#parts.get(key);
    if (!part) {
      part = new ModifierChoice(() => groupsOf(this.#menu, dishId), initial, () => void this.refreshPrice());
      this.#parts.set(key, part);
    }
    return part;
  }

  /** Picked parts of a slot whose modifier rules are not met. */
  partsMissing(slot: ComboSlot): PartMissing[] {
    return (this.picks[slot.id] ?? [])
      .map((dish) => ({ slot, dish, groups: this.part(slot.id, dish).missing }))
      .filter((p) => p.groups.length > 0);
  }

  /** Enough dishes picked, all of them available, and each part's rules met. */
  slotComplete(slot: ComboSlot): boolean {
    const picked = this.picks[slot.id] ?? [];
    const n = picked.length;
    return (
      n >= slot.min &&
      n <= slot.max &&
      picked.every((dish) => this.choiceAvailable(dish) && this.part(slot.id, dish).valid)
    );
  }

  /** Fewer dishes than the slot needs (as opposed to a part's modifiers missing). */
  slotShort(slot: ComboSlot): boolean {
    return (this.picks[slot.id] ?? []).length < slot.min;
  }

  isPicked(slotId: string, dishId: string): boolean {
    return (this.picks[slotId] ?? []).includes(dishId);
  }

  /** Tap on a choice: replaces the pick in one-dish slots, toggles up to `max` otherwise. */
  choose(slotId: string, dishId: string): void {
    const slot = this.slots.find((s) => s.id === slotId);
    if (!slot || !this.choiceAvailable(dishId)) return;
    const current = this.picks[slotId] ?? [];
    let next: string[];
    if (current.includes(dishId)) {
      next = slot.max === 1 ? current : current.filter((d) => d !== dishId);
    } else if (slot.max === 1) {
      next = [dishId];
    } else if (current.length < slot.max) {
      next = [...current, dishId];
    } else {
      return;
    }
    this.picks = { ...this.picks, [slotId]: next };
    void this.refreshPrice();
  }

  /** Next slot (or the summary) when the current slot is complete. Returns whether it moved. */
  next(): boolean {
    const slot = this.slot;
    if (slot && !this.slotComplete(slot)) {
      this.showErrors = true;
      return false;
    }
    this.showErrors = false;
    this.step = Math.min(this.step + 1, this.slots.length);
    return true;
  }

  back(): void {
    this.showErrors = false;
    this.step = Math.max(0, this.step - 1);
  }

  goTo(step: number): void {
    this.showErrors = false;
    this.step = Math.max(0, Math.min(step, this.slots.length));
  }

  setQty(qty: number): void {
    const next = Math.max(1, Math.min(MAX_QTY, qty));
    if (next === this.qty) return;
    this.qty = next;
    void this.refreshPrice();
  }

  toLine(): CartLine {
    return {
      dish: this.comboId,
      qty: this.qty,
      modifiers: [],
      combo: this.slots.flatMap((s) =>
        (this.picks[s.id] ?? []).map((dish) => ({ slot: s.id, dish, qty: 1, modifiers: this.part(s.id, dish).toList() })),
      ),
    };
  }

  /** The line when every slot is complete, else null (and the first incomplete slot shown). */
  submit(): CartLine | null {
    const incomplete = this.slots.findIndex((s) => !this.slotComplete(s));
    if (incomplete >= 0) {
      this.step = incomplete;
      this.showErrors = true;
      return null;
    }
    return this.toLine();
  }

  refreshPrice(): Promise<void> {
    const asked = ++this.#asked;
    this.pricePending = true;
    return this.#estimate(nextRevision++, { order_type: this.#orderType(), lines: [this.toLine()] }).then(
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
}
