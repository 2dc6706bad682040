import { describe, expect, it } from 'vitest';
import { flush, ManualPricing, priced } from '../../test/helpers';
import { CartState } from './cart.svelte';

const burger = { dish: 'd-classic', qty: 1, modifiers: [{ id: 'm-bbq', qty: 1 }] };
const tea = { dish: 'd-tea', qty: 1, modifiers: [] };

describe('CartState', () => {
  it('bumps the revision on every change and asks for an estimate and a POS price', () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(burger);
    expect(cart.revision).toBe(1);
    expect(port.estimates.map((e) => e.revision)).toEqual([1]);
    expect(port.prices.map((p) => p.revision)).toEqual([1]);
    expect(port.prices[0].cart).toEqual({ order_type: 'eat_in', lines: [burger] });
  });

  it('shows the estimate first, then the POS total for the same revision', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(burger);
    expect(cart.total).toBeNull();
    port.estimates[0].d.resolve(priced(1, '289.00', 'estimate'));
    await flush();
    expect(cart.total).toMatchObject({ source: 'estimate', current: true, quote: { total: '289.00' } });
    expect(cart.canCheckout).toBe(false);
    port.prices[0].d.resolve(priced(1, '279.00'));
    await flush();
    expect(cart.total).toMatchObject({ source: 'pos', current: true, quote: { total: '279.00' } });
    expect(cart.canCheckout).toBe(true);
  });

  it('keeps at most one price request in flight while the customer keeps tapping', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(burger);
    cart.increment(0);
    cart.increment(0);
    cart.add(tea);
    expect(port.prices).toHaveLength(1);
    expect(port.maxInFlight).toBe(1);
    expect(cart.pricing).toBe(true);
    port.prices[0].d.resolve(priced(1, '289.00'));
    await flush();
    // The old answer is not shown; one follow-up for the newest cart went out.
    expect(cart.total?.source).not.toBe('pos');
    expect(port.prices.map((p) => p.revision)).toEqual([1, 4]);
    expect(port.prices[1].cart.lines).toEqual([{ ...burger, qty: 3 }, tea]);
    port.prices[1].d.resolve(priced(4, '966.00'));
    await flush();
    expect(cart.total).toMatchObject({ source: 'pos', quote: { total: '966.00' } });
    expect(port.maxInFlight).toBe(1);
    expect(cart.pricing).toBe(false);
  });

  it('never shows an answer for an older revision, even one that arrives late', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(burger);
    port.estimates[0].d.resolve(priced(1, '289.00', 'estimate'));
    await flush();
    port.prices[0].d.resolve(priced(1, '289.00'));
    await flush();
    cart.increment(0);
    // The revision-1 POS price is no longer the cart's price.
    expect(cart.total).toMatchObject({ source: 'estimate', current: false });
    expect(cart.canCheckout).toBe(false);
    port.estimates[1].d.resolve(priced(2, '578.00', 'estimate'));
    await flush();
    expect(cart.total).toMatchObject({ source: 'estimate', current: true, quote: { total: '578.00' } });
    // A crossing estimate for revision 1 does not replace the one for revision 2.
    cart.increment(0);
    port.estimates[2].d.resolve(priced(3, '867.00', 'estimate'));
    await flush();
    expect(cart.total?.quote.total).toBe('867.00');
  });

  it('merges an identical line and keeps different choices apart', () => {
    const cart = new CartState(new ManualPricing());
    cart.add(burger);
    cart.add({ ...burger, modifiers: [{ id: 'm-bbq', qty: 1 }] });
    cart.add({ ...burger, modifiers: [{ id: 'm-garlic', qty: 1 }] });
    expect(cart.lines.map((l) => l.qty)).toEqual([2, 1]);
    expect(cart.count).toBe(3);
  });

  it('clamps quantities and removes lines', () => {
    const cart = new CartState(new ManualPricing());
    cart.add(tea);
    cart.decrement(0);
    expect(cart.lines[0].qty).toBe(1);
    cart.setQty(0, 500);
    expect(cart.lines[0].qty).toBe(99);
    cart.remove(0);
    expect(cart.isEmpty).toBe(true);
  });

  it('forgets prices when emptied, and drops answers for the emptied cart', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(tea);
    cart.clear();
    expect(cart.total).toBeNull();
    cart.add(burger);
    port.estimates[0].d.resolve(priced(1, '99.00', 'estimate'));
    port.prices[0].d.resolve(priced(1, '99.00'));
    await flush();
    expect(cart.total).toBeNull();
    // The follow-up for the new cart (revision 3) is the one sent next.
    expect(port.prices.map((p) => p.revision)).toEqual([1, 3]);
  });

  it('records a POS error for the current cart and clears it on the next change', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(tea);
    port.prices[0].d.reject({ code: 'dish_unavailable', message: 'Чай закончился' });
    await flush();
    expect(cart.posError?.code).toBe('dish_unavailable');
    expect(cart.canCheckout).toBe(false);
    cart.reprice();
    expect(cart.posError).toBeNull();
  });

  it('takes cart problems from the estimate of the current revision', async () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add({ dish: 'd-classic', qty: 1, modifiers: [] });
    port.estimates[0].d.resolve({
      ...priced(1, '289.00', 'estimate'),
      problems: [{ kind: 'too_few_modifiers', line: 1, group: 'g-sauce', group_name: 'Соус', min: 1, chosen: 0 }],
    });
    port.prices[0].d.resolve(priced(1, '289.00'));
    await flush();
    expect(cart.problems).toHaveLength(1);
    expect(cart.canCheckout).toBe(false);
  });

  it('accepts a POS price that arrived with a checkout as the current one', () => {
    const port = new ManualPricing();
    const cart = new CartState(port);
    cart.add(tea);
    cart.acceptPosPrice({ ...priced(0, '109.00'), changes: [{ dish: 'd-tea', name: 'Чай', menu_price: '99.00', pos_price: '109.00' }] });
    expect(cart.total).toMatchObject({ source: 'pos', quote: { total: '109.00' } });
    expect(cart.changes).toHaveLength(1);
  });
});
