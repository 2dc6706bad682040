/**
 * The menu as the customer browses it: the core's `MenuView`, the selected section and the search.
 *
 * A refresh (`menu-updated`) replaces the view but keeps the customer's place: the same section
 * stays selected when it still exists, and the search text stays.
 */
import type { Combo } from '../bindings/Combo';
import type { Dish } from '../bindings/Dish';
import type { MenuCard } from '../bindings/MenuCard';
import type { MenuView } from '../bindings/MenuView';
import type { Modifier } from '../bindings/Modifier';
import type { ModifierGroup } from '../bindings/ModifierGroup';
import type { SectionView } from '../bindings/SectionView';

/** Lower-case, `ё` → `е`, trimmed: what the search compares. */
export function normalise(text: string): string {
  return text.toLocaleLowerCase('ru').replaceAll('ё', 'е').trim();
}

export class MenuState {
  view = $state.raw<MenuView | null>(null);
  section = $state<string | null>(null);
  query = $state('');

  sections = $derived<SectionView[]>(this.view?.sections ?? []);
  dishes = $derived(new Map<string, Dish>((this.view?.catalog.dishes ?? []).map((d) => [d.id, d])));
  combos = $derived(new Map<string, Combo>((this.view?.catalog.combos ?? []).map((c) => [c.id, c])));
  groups = $derived(new Map<string, ModifierGroup>((this.view?.catalog.modifier_groups ?? []).map((g) => [g.id, g])));
  modifiers = $derived(
    new Map<string, Modifier>((this.view?.catalog.modifier_groups ?? []).flatMap((g) => g.modifiers.map((m) => [m.id, m] as [string, Modifier]))),
  );
  cards = $derived(new Map<string, MenuCard>((this.view?.cards ?? []).map((c) => [c.id, c])));

  /** The search is on when it has text in it. */
  searching = $derived(normalise(this.query).length > 0);

  /** Cards on screen: search results across all sections, or the selected section's cards. */
  visible = $derived.by((): MenuCard[] => {
    const all = this.view?.cards ?? [];
    const q = normalise(this.query);
    if (q) {
      return all.filter((c) => normalise(c.name).includes(q) || normalise(c.description ?? '').includes(q));
    }
    return all.filter((c) => c.section === this.section);
  });

  /** Installs a (new) menu, keeping the selected section when it survives. */
  apply(view: MenuView): void {
    this.view = view;
    if (!this.section || !view.sections.some((s) => s.id === this.section)) {
      this.section = view.sections[0]?.id ?? null;
    }
  }

  selectSection(id: string): void {
    this.section = id;
    this.query = '';
  }

  setQuery(text: string): void {
    this.query = text;
  }

  /** Back to the first section with no search, for the next customer. */
  resetPlace(): void {
    this.section = this.view?.sections[0]?.id ?? null;
    this.query = '';
  }

  /** A display name for a dish or combo id (cart lines, combo picks). */
  nameOf(id: string): string {
    return this.dishes.get(id)?.name ?? this.combos.get(id)?.name ?? id;
  }

  /** The section a dish or combo belongs to. */
  sectionOf(id: string): string | null {
    return this.dishes.get(id)?.section ?? this.combos.get(id)?.section ?? null;
  }
}
