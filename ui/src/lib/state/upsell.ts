/**
 * The one suggestion before payment: a drink when the order has none, else a dessert, else a
 * side, taken from the menu.
 *
 * Sections are recognised by name (the POS has no notion of "drinks"). Only cards that can be
 * added in one tap qualify: available, no required choices, and not already in the order
 * (a combo's components count as in the order). Popular dishes come first.
 */
import type { CartLine } from '../bindings/CartLine';
import type { MenuCard } from '../bindings/MenuCard';
import type { MenuView } from '../bindings/MenuView';

export type UpsellTheme = 'drink' | 'dessert' | 'side';

export interface UpsellPick {
  theme: UpsellTheme;
  cards: MenuCard[];
}

const THEMES: Array<[UpsellTheme, RegExp]> = [
  ['drink', /напит|drink|beverage|bar\b|бар\b|кофе|coffee|чай|tea/i],
  ['dessert', /десерт|dessert|сладк|sweet|выпечк/i],
  ['side', /закуск|snack|side|гарнир|starter/i],
];

/** Popular first, then those with a picture (a suggestion without one sells poorly). */
const rank = (c: MenuCard) => (c.badges.includes('hit') ? 2 : 0) + (c.has_image ? 1 : 0);

export function pickUpsell(menu: MenuView, lines: CartLine[], limit = 3): UpsellPick | null {
  const inOrder = new Set<string>();
  for (const l of lines) {
    inOrder.add(l.dish);
    for (const p of l.combo ?? []) inOrder.add(p.dish);
  }
  const sectionOf = new Map<string, string>();
  for (const d of menu.catalog.dishes) sectionOf.set(d.id, d.section);
  for (const c of menu.catalog.combos) sectionOf.set(c.id, c.section);
  const orderSections = new Set([...inOrder].map((id) => sectionOf.get(id)).filter((s) => s !== undefined));

  for (const [theme, pattern] of THEMES) {
    const sections = new Set(menu.sections.filter((s) => pattern.test(s.name)).map((s) => s.id));
    if (sections.size === 0 || [...sections].some((s) => orderSections.has(s))) continue;
    const cards = menu.cards
      .filter(
        (c) =>
          sections.has(c.section) &&
          c.kind === 'dish' &&
          c.availability.kind !== 'out_of_stock' &&
          !c.needs_choices &&
          !inOrder.has(c.id),
      )
      .sort((a, b) => rank(b) - rank(a))
      .slice(0, limit);
    if (cards.length > 0) return { theme, cards };
  }
  return null;
}
