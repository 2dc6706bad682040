import { describe, expect, it } from 'vitest';
import { createFakeBackend } from '../ipc.fake';
import { flush, ManualPricing, priced } from '../../test/helpers';
import { en } from '../i18n/en';
import { CartState } from './cart.svelte';
import { lineText, menuPriceChanges, problemLine, problemText } from './cart-view';
import { MenuState } from './menu.svelte';

const tea = { dish: 'd-tea', qty: 1, modifiers: [] };
const mors = { dish: 'd-mors', qty: 2, modifiers: [] };

describe('cart lines and problems in words', () => {
  it('maps the core\'s 1-based line numbers to cart indexes', () => {
    expect(problemLine({ kind: 'unavailable', line: 1, dish: 'd-tea', name: 'Чай' })).toBe(0);
    expect(problemLine({ kind: 'bad_quantity', line: 3, qty: 0 })).toBe(2);
    expect(problemLine({ kind: 'empty' })).toBeNull();
    expect(problemText({ kind: 'too_few_modifiers', line: 1, group: 'g', group_name: 'Size', min: 1, chosen: 0 }, en)).toContain('size');
  });

  it('lists a combo\'s parts with their own modifiers', async () => {
    const menu = new MenuState();
    menu.apply(await createFakeBackend({ latency: 0 }).menu());
    const text = lineText(
      {
        dish: 'c-lunch', qty: 1, modifiers: [],
        combo: [
          { slot: 'main', dish: 'd-classic', qty: 1, modifiers: [{ id: 'm-bbq', qty: 1 }, { id: 'm-cheddar', qty: 2 }] },
          { slot: 'drink', dish: 'd-cola', qty: 1, modifiers: [] },
        ],
      },
      menu,
    );
    expect(text).toEqual({
      name: 'Комбо «Обед»',
      details: ['Классический бургер (Барбекю, Сыр чеддер ×2)', 'Кола'],
      isCombo: true,
    });
  });
});

describe('price changes between two menus', () => {
  it('reports the cart\'s dishes whose menu price string changed, once each', async () => {
    const fake = createFakeBackend({ latency: 0 });
    const before = await fake.menu();
    fake.bumpMenu({ prices: { 'd-tea': '109.00', 'd-cola': '1.00' } });
    const after = await fake.menu();
    expect(menuPriceChanges(before, after, [tea, mors, tea])).toEqual([
      { id: 'd-tea', name: 'Чай чёрный', before: '99.00', now: '109.00' },
    ]);
    expect(menuPriceChanges(null, after, [tea])).toEqual([]);
  });

  it('keeps the first price the customer saw, forgets a price that came back, and drops removed lines', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(tea);
    cart.add(mors);
    cart.noteMenuChanges([{ id: 'd-tea', name: 'Чай', before: '99.00', now: '109.00' }]);
    cart.noteMenuChanges([
      { id: 'd-tea', name: 'Чай', before: '109.00', now: '119.00' },
      { id: 'd-mors', name: 'Морс', before: '149.00', now: '159.00' },
    ]);
    expect(cart.priceNotices).toEqual([
      { id: 'd-tea', name: 'Чай', before: '99.00', now: '119.00' },
      { id: 'd-mors', name: 'Морс', before: '149.00', now: '159.00' },
    ]);
    cart.noteMenuChanges([{ id: 'd-mors', name: 'Морс', before: '159.00', now: '149.00' }]);
    expect(cart.priceNotices.map((c) => c.id)).toEqual(['d-tea']);
    cart.remove(0);
    expect(cart.priceNotices).toEqual([]);
    cart.clear();
    expect(cart.menuChanges).toEqual([]);
  });

  it('takes a POS refusal\'s problems as the lines to mark', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(tea);
    cart.add(mors);
    port.estimates[1].d.resolve(priced(2, '397.00', 'estimate'));
    port.prices[0].d.reject({
      code: 'dish_unavailable',
      message: 'the POS refused dish d-mors',
      dish: 'd-mors',
      problems: [{ kind: 'unavailable', line: 2, dish: 'd-mors', name: 'Морс' }],
    });
    await flush();
    // The first request was for revision 1; revision 2 waits and is then sent.
    port.prices[1].d.reject({
      code: 'dish_unavailable',
      message: 'the POS refused dish d-mors',
      dish: 'd-mors',
      problems: [{ kind: 'unavailable', line: 2, dish: 'd-mors', name: 'Морс' }],
    });
    await flush();
    expect(cart.posError).toMatchObject({ code: 'dish_unavailable', dish: 'd-mors' });
    expect(cart.problems.map(problemLine)).toEqual([1]);
    expect(cart.canCheckout).toBe(false);
  });
});
