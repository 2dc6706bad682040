/**
 * Turning cart lines and cart problems into the words the cart screen shows. Names come from the
 * menu; nothing here touches prices.
 */
import type { CartLine } from '../bindings/CartLine';
import type { CartProblem } from '../bindings/CartProblem';
import type { Messages } from '../i18n';
import type { MenuState } from './menu.svelte';

export interface LineText {
  name: string;
  /** Modifier names ("Бекон ×2") or combo components, one entry each. */
  details: string[];
  isCombo: boolean;
}

export function lineText(line: CartLine, menu: MenuState): LineText {
  const isCombo = (line.combo?.length ?? 0) > 0;
  const details = isCombo
    ? (line.combo ?? []).map((p) => menu.nameOf(p.dish) + (p.qty > 1 ? ` ×${p.qty}` : ''))
    : line.modifiers.map((m) => (menu.modifiers.get(m.id)?.name ?? m.id) + (m.qty > 1 ? ` ×${m.qty}` : ''));
  return { name: menu.nameOf(line.dish), details, isCombo };
}

/** The cart line a problem is about, or null for whole-cart problems. */
export function problemLine(problem: CartProblem): number | null {
  return 'line' in problem ? problem.line : null;
}

export function problemText(problem: CartProblem, t: Messages): string {
  switch (problem.kind) {
    case 'unavailable':
      return t.problemUnavailable(problem.name);
    case 'too_few_modifiers':
      return t.problemChoices(problem.group_name);
    case 'combo_slot':
      return t.problemChoices(problem.slot_name);
    case 'empty':
      return t.cartEmptyTitle;
    default:
      return t.problemGeneric;
  }
}
