/**
 * Turning cart lines and cart problems into the words the cart screen shows. Names come from the
 * menu; nothing here touches prices.
 */
import type { CartLine } from '../bindings/CartLine';
import type { CartProblem } from '../bindings/CartProblem';
import type { ChosenModifier } from '../bindings/ChosenModifier';
import type { MenuView } from '../bindings/MenuView';
import type { Money } from '../bindings/Money';
import type { Messages } from '../i18n';
import type { MenuState } from './menu.svelte';

export interface LineText {
  name: string;
  /** Modifier names ("Бекон ×2") or combo components, one entry each. */
  details: string[];
  isCombo: boolean;
}

const modifierNames = (mods: ChosenModifier[], menu: MenuState): string[] =>
  mods.map((m) => (menu.modifiers.get(m.id)?.name ?? m.id) + (m.qty > 1 ? ` ×${m.qty}` : ''));

export function lineText(line: CartLine, menu: MenuState): LineText {
  const isCombo = (line.combo?.length ?? 0) > 0;
  const details = isCombo
    ? (line.combo ?? []).map((p) => {
        const mods = modifierNames(p.modifiers ?? [], menu);
        return menu.nameOf(p.dish) + (p.qty > 1 ? ` ×${p.qty}` : '') + (mods.length ? ` (${mods.join(', ')})` : '');
      })
    : modifierNames(line.modifiers, menu);
  return { name: menu.nameOf(line.dish), details, isCombo };
}

/**
 * The cart line (0-based index) a problem is about, or null for whole-cart problems. The core
 * numbers lines from 1, as people do ("line 1"), in problems and in `IpcError.problems`.
 */
export function problemLine(problem: CartProblem): number | null {
  return 'line' in problem ? problem.line - 1 : null;
}

/** A price of something in the cart that changed between two menus the customer saw. */
export interface MenuPriceChange {
  /** The dish or combo id. */
  id: string;
  name: string;
  before: Money;
  now: Money;
}

/**
 * What changed, for the cart's dishes and combos, between the menu the customer ordered from and
 * a refreshed one. Prices are compared as the core's strings (equal or not), never computed.
 */
export function menuPriceChanges(before: MenuView | null, after: MenuView, lines: CartLine[]): MenuPriceChange[] {
  if (!before) return [];
  const priceIn = (view: MenuView, id: string): Money | undefined =>
    view.catalog.dishes.find((d) => d.id === id)?.price ?? view.catalog.combos.find((c) => c.id === id)?.price;
  const out: MenuPriceChange[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    if (seen.has(line.dish)) continue;
    seen.add(line.dish);
    const was = priceIn(before, line.dish);
    const is = priceIn(after, line.dish);
    if (was !== undefined && is !== undefined && was !== is) {
      const name =
        after.catalog.dishes.find((d) => d.id === line.dish)?.name ?? after.catalog.combos.find((c) => c.id === line.dish)?.name ?? line.dish;
      out.push({ id: line.dish, name, before: was, now: is });
    }
  }
  return out;
}

export function problemText(problem: CartProblem, t: Messages): string {
  switch (problem.kind) {
    case 'unavailable':
      return t.problemUnavailable(problem.name);
    case 'too_few_modifiers':
    case 'too_many_modifiers':
      return t.problemChoices(problem.group_name);
    case 'combo_slot':
      return t.problemChoices(problem.slot_name);
    case 'empty':
      return t.cartEmptyTitle;
    default:
      return t.problemGeneric;
  }
}
