/**
 * The modifiers chosen for one dish, and the menu's rules for them: the dish sheet has one, and
 * the combo builder has one per combo part, so both screens enforce the same rules the same way
 * (the core's `cart::check` refuses a cart that breaks them).
 *
 * Rules are counts, not money: a group wants between `min` and `max` choices (counting
 * quantities), a modifier allows up to `max_quantity` of itself. Automatic modifiers are the
 * POS's business: shown as included, never chosen, never sent.
 */
import type { ChosenModifier } from '../bindings/ChosenModifier';
import type { Modifier } from '../bindings/Modifier';
import type { ModifierGroup } from '../bindings/ModifierGroup';

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

/** True when the customer has something to choose in these groups (not only "included" ones). */
export function hasChoices(groups: ModifierGroup[]): boolean {
  return groups.some((g) => !ruleOf(g).includedOnly);
}

export class ModifierChoice {
  /** Chosen modifier id → quantity (only positive quantities are kept). */
  chosen = $state<Record<string, number>>({});

  #groups: () => ModifierGroup[];
  #onChange: () => void;

  /**
   * `groups` is read on every use, so a menu refresh that changes a group is seen at once.
   * `onChange` runs after every change the customer makes (the owner re-prices).
   */
  constructor(groups: () => ModifierGroup[], initial: ChosenModifier[] = [], onChange: () => void = () => {}) {
    this.#groups = groups;
    this.#onChange = onChange;
    this.chosen = Object.fromEntries(initial.filter((m) => m.qty > 0).map((m) => [m.id, m.qty]));
  }

  get groups(): ModifierGroup[] {
    return this.#groups();
  }

  /** Groups whose minimum is not met. */
  get missing(): ModifierGroup[] {
    return this.groups.filter((g) => ruleOf(g).required && this.countIn(g) < g.min);
  }

  /** Groups over their maximum (only possible when editing a line after a menu change). */
  get excess(): ModifierGroup[] {
    return this.groups.filter((g) => g.max !== null && this.countIn(g) > g.max);
  }

  get valid(): boolean {
    return this.missing.length === 0 && this.excess.length === 0;
  }

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
    this.#onChange();
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
    this.#onChange();
  }

  /** One fewer of a multi-quantity modifier. */
  minus(modifierId: string): void {
    const n = this.qtyOf(modifierId);
    if (n === 0) return;
    const next = { ...this.chosen };
    if (n === 1) delete next[modifierId];
    else next[modifierId] = n - 1;
    this.chosen = next;
    this.#onChange();
  }

  /** The choices as the cart takes them, in menu order; automatic modifiers are not sent. */
  toList(): ChosenModifier[] {
    return this.groups
      .flatMap((g) => g.modifiers)
      .filter((m) => !m.auto && (this.chosen[m.id] ?? 0) > 0)
      .map((m) => ({ id: m.id, qty: this.chosen[m.id] }));
  }
}
