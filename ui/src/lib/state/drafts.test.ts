import { describe, expect, it } from 'vitest';
import { createFakeBackend } from '../ipc.fake';
import { deferred, flush, priced } from '../../test/helpers';
import type { Cart } from '../bindings/Cart';
import type { PricedCart } from '../bindings/PricedCart';
import { ComboDraft } from './combo-draft.svelte';
import { DishDraft, ruleOf } from './dish-draft.svelte';
import { MenuState } from './menu.svelte';

async function demoMenu(): Promise<MenuState> {
  const menu = new MenuState();
  menu.apply(await createFakeBackend({ latency: 0 }).menu());
  return menu;
}

const noPrice = () => new Promise<PricedCart>(() => {});
const common = (menu: MenuState, estimate: (r: number, c: Cart) => Promise<PricedCart> = noPrice) => ({
  menu,
  estimate,
  orderType: () => 'eat_in' as const,
});

describe('DishDraft', () => {
  it('replaces the choice in a single-choice group and keeps a required one chosen', async () => {
    const d = new DishDraft({ ...common(await demoMenu()), dishId: 'd-classic' });
    d.toggle('m-bbq');
    d.toggle('m-garlic');
    expect(d.chosen).toEqual({ 'm-garlic': 1 });
    d.toggle('m-garlic'); // required radio: tapping it again does not empty the group
    expect(d.chosen).toEqual({ 'm-garlic': 1 });
  });

  it('refuses unavailable and automatic modifiers', async () => {
    const d = new DishDraft({ ...common(await demoMenu()), dishId: 'd-classic' });
    d.toggle('m-sweet-chili');
    d.toggle('m-lettuce');
    expect(d.chosen).toEqual({});
  });

  it('stops at the group maximum and at each modifier maximum', async () => {
    const d = new DishDraft({ ...common(await demoMenu()), dishId: 'd-classic' });
    d.plus('m-cheddar');
    d.plus('m-cheddar');
    d.plus('m-cheddar'); // max_quantity 2
    expect(d.qtyOf('m-cheddar')).toBe(2);
    d.toggle('m-bacon'); // group "up to 3" is now full
    d.toggle('m-jalapeno');
    expect(d.qtyOf('m-bacon')).toBe(1);
    expect(d.qtyOf('m-jalapeno')).toBe(0);
    expect(d.canAdd('m-jalapeno')).toBe(false);
    d.minus('m-cheddar');
    expect(d.canAdd('m-jalapeno')).toBe(true);
  });

  it('will not add with a required group unmet, and says which', async () => {
    const d = new DishDraft({ ...common(await demoMenu()), dishId: 'd-classic' });
    expect(d.submit()).toBeNull();
    expect(d.showErrors).toBe(true);
    expect(d.missing.map((g) => g.id)).toEqual(['g-sauce']);
    d.toggle('m-bbq');
    d.setQty(2);
    expect(d.missing).toEqual([]);
    // Auto modifiers are the POS's business: never sent.
    expect(d.submit()).toEqual({ dish: 'd-classic', qty: 2, modifiers: [{ id: 'm-bbq', qty: 1 }] });
  });

  it('describes rules, with all-automatic groups shown as included', async () => {
    const menu = await demoMenu();
    expect(ruleOf(menu.groups.get('g-sauce')!)).toMatchObject({ single: true, required: true, includedOnly: false });
    expect(ruleOf(menu.groups.get('g-extras')!)).toMatchObject({ single: false, required: false });
    expect(ruleOf(menu.groups.get('g-included')!)).toMatchObject({ includedOnly: true, required: false });
  });

  it('shows only the newest price answer', async () => {
    const answers = [deferred<PricedCart>(), deferred<PricedCart>()];
    const asked: Cart[] = [];
    const d = new DishDraft({
      ...common(await demoMenu(), (_r, c) => {
        asked.push(c);
        return answers[asked.length - 1].promise;
      }),
      dishId: 'd-chicken',
    });
    void d.refreshPrice();
    d.setQty(2);
    expect(asked[1]).toEqual({ order_type: 'eat_in', lines: [{ dish: 'd-chicken', qty: 2, modifiers: [] }] });
    answers[1].resolve(priced(2, '518.00', 'estimate'));
    await flush();
    answers[0].resolve(priced(1, '259.00', 'estimate'));
    await flush();
    expect(d.price).toBe('518.00');
    expect(d.pricePending).toBe(false);
  });

  it('starts from a cart line when editing', async () => {
    const d = new DishDraft({
      ...common(await demoMenu()),
      dishId: 'd-classic',
      line: { dish: 'd-classic', qty: 3, modifiers: [{ id: 'm-bbq', qty: 1 }, { id: 'm-cheddar', qty: 2 }] },
      editIndex: 1,
    });
    expect(d.qty).toBe(3);
    expect(d.qtyOf('m-cheddar')).toBe(2);
    expect(d.editIndex).toBe(1);
  });
});

describe('ComboDraft', () => {
  it('pre-selects available defaults and steps through the slots to a summary', async () => {
    const c = new ComboDraft({ ...common(await demoMenu()), comboId: 'c-lunch' });
    expect(c.picks).toEqual({ main: ['d-chicken'], side: ['d-fries'], drink: ['d-mors'] });
    c.choose('main', 'd-spicy');
    expect(c.next()).toBe(true);
    expect(c.next()).toBe(true);
    expect(c.next()).toBe(true);
    expect(c.atSummary).toBe(true);
    expect(c.submit()).toEqual({
      dish: 'c-lunch',
      qty: 1,
      modifiers: [],
      combo: [
        { slot: 'main', dish: 'd-spicy', qty: 1, modifiers: [] },
        { slot: 'side', dish: 'd-fries', qty: 1, modifiers: [] },
        { slot: 'drink', dish: 'd-mors', qty: 1, modifiers: [] },
      ],
    });
  });

  it('will not leave an empty slot, and ignores unavailable choices', async () => {
    const c = new ComboDraft({ ...common(await demoMenu()), comboId: 'c-kids' });
    expect(c.picks.main).toEqual([]);
    expect(c.next()).toBe(false);
    expect(c.showErrors).toBe(true);
    c.choose('main', 'd-fish'); // not a choice of this slot
    expect(c.picks.main).toEqual([]);
    c.choose('main', 'd-veggie');
    expect(c.next()).toBe(true);
    c.goTo(0);
    expect(c.submit()).not.toBeNull();
  });

  it('sends the customer back to the first incomplete slot on submit', async () => {
    const c = new ComboDraft({ ...common(await demoMenu()), comboId: 'c-kids' });
    c.goTo(3);
    expect(c.submit()).toBeNull();
    expect(c.step).toBe(0);
  });
});

describe('ComboDraft parts with their own modifiers', () => {
  it('asks for a part\'s required choices before moving on, and sends them with the pick', async () => {
    const c = new ComboDraft({ ...common(await demoMenu()), comboId: 'c-lunch' });
    c.choose('main', 'd-classic'); // the classic burger needs a sauce
    expect(c.hasOptions('d-classic')).toBe(true);
    expect(c.slotComplete(c.slots[0])).toBe(false);
    expect(c.next()).toBe(false);
    expect(c.showErrors).toBe(true);
    expect(c.partsMissing(c.slots[0])).toMatchObject([{ dish: 'd-classic', groups: [{ id: 'g-sauce' }] }]);
    c.part('main', 'd-classic').toggle('m-bbq');
    c.part('main', 'd-classic').toggle('m-bacon');
    expect(c.next()).toBe(true);
    expect(c.next()).toBe(true); // side: fries, nothing to choose
    c.choose('drink', 'd-cola'); // needs a size
    expect(c.submit()).toBeNull();
    expect(c.step).toBe(2);
    c.part('drink', 'd-cola').toggle('m-size-05');
    expect(c.submit()).toEqual({
      dish: 'c-lunch',
      qty: 1,
      modifiers: [],
      combo: [
        { slot: 'main', dish: 'd-classic', qty: 1, modifiers: [{ id: 'm-bbq', qty: 1 }, { id: 'm-bacon', qty: 1 }] },
        { slot: 'side', dish: 'd-fries', qty: 1, modifiers: [] },
        { slot: 'drink', dish: 'd-cola', qty: 1, modifiers: [{ id: 'm-size-05', qty: 1 }] },
      ],
    });
  });

  it('keeps a part\'s choices when the customer switches away and back, and sends only picked parts', async () => {
    const c = new ComboDraft({ ...common(await demoMenu()), comboId: 'c-lunch' });
    c.choose('main', 'd-classic');
    c.part('main', 'd-classic').toggle('m-garlic');
    c.choose('main', 'd-veggie');
    expect(c.toLine().combo?.[0]).toEqual({ slot: 'main', dish: 'd-veggie', qty: 1, modifiers: [] });
    c.choose('main', 'd-classic');
    expect(c.toLine().combo?.[0].modifiers).toEqual([{ id: 'm-garlic', qty: 1 }]);
  });

  it('restores part modifiers from a cart line being edited', async () => {
    const c = new ComboDraft({
      ...common(await demoMenu()),
      comboId: 'c-lunch',
      editIndex: 0,
      line: {
        dish: 'c-lunch', qty: 2, modifiers: [],
        combo: [
          { slot: 'main', dish: 'd-classic', qty: 1, modifiers: [{ id: 'm-cheese-sauce', qty: 1 }] },
          { slot: 'side', dish: 'd-rings', qty: 1, modifiers: [] },
          { slot: 'drink', dish: 'd-cola', qty: 1, modifiers: [{ id: 'm-size-03', qty: 1 }] },
        ],
      },
    });
    expect(c.atSummary).toBe(true);
    expect(c.complete).toBe(true);
    expect(c.part('main', 'd-classic').qtyOf('m-cheese-sauce')).toBe(1);
    expect(c.toLine().combo?.[2].modifiers).toEqual([{ id: 'm-size-03', qty: 1 }]);
  });

  it('re-prices the combo when a part\'s modifier changes', async () => {
    const asked: Cart[] = [];
    const c = new ComboDraft({
      ...common(await demoMenu(), (_r, cart) => {
        asked.push(cart);
        return noPrice();
      }),
      comboId: 'c-lunch',
    });
    c.choose('main', 'd-classic');
    c.part('main', 'd-classic').toggle('m-bacon');
    expect(asked.at(-1)?.lines[0].combo?.[0].modifiers).toEqual([{ id: 'm-bacon', qty: 1 }]);
  });
});
