import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { MenuCard } from '../../bindings/MenuCard';
import { en } from '../../i18n/en';
import { ru } from '../../i18n/ru';
import { createFakeBackend } from '../../ipc.fake';
import { PLACEHOLDER_IMAGE } from '../../placeholder';
import { DishDraft } from '../../state/dish-draft.svelte';
import { MenuState } from '../../state/menu.svelte';
import { priced } from '../../../test/helpers';
import DishCard from '../DishCard.svelte';
import DishSheet from '../DishSheet.svelte';
import Img from '../Img.svelte';
import TotalPanel from '../TotalPanel.svelte';

const card = (patch: Partial<MenuCard> = {}): MenuCard => ({
  id: 'd-1', kind: 'dish', section: 's', name: 'Борщ', description: null, price: '259.00', from_price: null,
  availability: { kind: 'available' }, badges: ['hit'], needs_choices: false, has_image: true, ...patch,
});

describe('DishCard', () => {
  it('shows name, price and badges, and opens on tap', async () => {
    const onOpen = vi.fn();
    render(DishCard, { t: ru, card: card(), image: null, onOpen });
    const el = screen.getByTestId('card-d-1');
    expect(el.dataset.available).toBe('true');
    expect(el.textContent).toContain('259,00\u00a0₽');
    expect(el.textContent).toContain('Хит');
    await fireEvent.click(el);
    expect(onOpen).toHaveBeenCalledWith('d-1');
  });

  it('shows a "from" price when choices cost extra', () => {
    render(DishCard, { t: en, card: card({ from_price: '279.00' }), image: null, onOpen: () => {} });
    expect(screen.getByTestId('card-d-1').textContent).toContain('from ₽279.00');
  });

  it('keeps an out-of-stock dish on the menu, greyed with the reason, and does not open it', async () => {
    const onOpen = vi.fn();
    render(DishCard, { t: ru, card: card({ availability: { kind: 'out_of_stock', reason: 'sold_out' } }), image: null, onOpen });
    const el = screen.getByTestId('card-d-1');
    expect(el.dataset.available).toBe('false');
    expect(el.getAttribute('aria-disabled')).toBe('true');
    expect(el.textContent).toContain('Закончилось');
    await fireEvent.click(el);
    expect(onOpen).not.toHaveBeenCalled();
  });
});

describe('Img', () => {
  it('asks again for a cached picture that failed, a little later, at most twice', async () => {
    vi.useFakeTimers();
    try {
      const { container } = render(Img, { src: 'kiosk://localhost/image/dish/x?size=card' });
      const img = container.querySelector('img')!;
      await fireEvent.error(img);
      expect(img.getAttribute('src')).toBe(PLACEHOLDER_IMAGE);
      await vi.advanceTimersByTimeAsync(3000);
      expect(img.getAttribute('src')).toBe('kiosk://localhost/image/dish/x?size=card&attempt=1');
      await fireEvent.error(img);
      await vi.advanceTimersByTimeAsync(10000);
      expect(img.getAttribute('src')).toBe('kiosk://localhost/image/dish/x?size=card&attempt=2');
      await fireEvent.error(img);
      await vi.advanceTimersByTimeAsync(60000);
      expect(img.getAttribute('src')).toBe(PLACEHOLDER_IMAGE);
    } finally {
      vi.useRealTimers();
    }
  });

  it('swaps to the placeholder when the picture fails, and uses it when there is none', async () => {
    const { container } = render(Img, { src: 'kiosk://localhost/image/dish/x?size=card' });
    const img = container.querySelector('img')!;
    expect(img.getAttribute('src')).toContain('kiosk://');
    await fireEvent.error(img);
    expect(img.getAttribute('src')).toBe(PLACEHOLDER_IMAGE);
    const none = render(Img, { src: null }).container.querySelector('img')!;
    expect(none.getAttribute('src')).toBe(PLACEHOLDER_IMAGE);
  });
});

describe('TotalPanel', () => {
  it('exposes the raw total and whether the POS confirmed it', () => {
    const quote = {
      ...priced(1, '849.10').quote,
      subtotal: '899.10',
      adjustments: [{ kind: 'discount' as const, name: 'Скидка', amount: '-50.00', auto: true }],
    };
    render(TotalPanel, { t: ru, total: { source: 'pos', quote, current: true }, pricing: false, failed: false });
    const total = screen.getByTestId('cart-total');
    expect(total.dataset.source).toBe('pos');
    expect(total.dataset.total).toBe('849.10');
    expect(total.textContent).toContain('849,10');
    expect(screen.getByTestId('adjustment-0').textContent).toContain('\u221250,00');
    expect(screen.getByText(ru.posConfirmed)).toBeTruthy();
  });

  it('marks an estimate', () => {
    render(TotalPanel, { t: en, total: { source: 'estimate', quote: priced(1, '10.00', 'estimate').quote, current: true }, pricing: true, failed: false });
    expect(screen.getByTestId('cart-total').dataset.source).toBe('estimate');
    expect(screen.getByText(en.estimateNote)).toBeTruthy();
  });
});

describe('DishSheet', () => {
  async function sheet() {
    const menu = new MenuState();
    menu.apply(await createFakeBackend({ latency: 0 }).menu());
    const estimate = vi.fn(async (revision: number) => priced(revision, '349.00', 'estimate'));
    const draft = new DishDraft({ menu, estimate, orderType: () => 'eat_in', dishId: 'd-classic' });
    return { draft, estimate };
  }

  it('spells out the rules, shows included modifiers, and errors when a required choice is missing', async () => {
    const { draft } = await sheet();
    const onAdd = vi.fn(() => draft.submit());
    render(DishSheet, { t: ru, draft, image: null, onAdd, onClose: () => {} });
    expect(screen.getByText('Выберите 1')).toBeTruthy();
    expect(screen.getByText('До 3 на выбор')).toBeTruthy();
    expect(screen.getByText('Входит в состав')).toBeTruthy();
    expect(screen.queryByTestId('sheet-error')).toBeNull();
    await fireEvent.click(screen.getByTestId('add-to-cart'));
    expect(onAdd).toHaveBeenCalled();
    expect(screen.getByTestId('sheet-error').textContent).toContain('соус');
    await fireEvent.click(screen.getByTestId('modifier-m-bbq'));
    expect(screen.getByTestId('modifier-m-bbq').getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByTestId('sheet-error')).toBeNull();
  });

  it('shows the price the core estimated and steps the quantity', async () => {
    const { draft, estimate } = await sheet();
    render(DishSheet, { t: ru, draft, image: null, onAdd: () => {}, onClose: () => {} });
    expect(screen.getByTestId('dish-price').textContent).toContain('289,00'); // the menu price until asked
    await fireEvent.click(screen.getByTestId('qty-plus'));
    await vi.waitFor(() => expect(screen.getByTestId('dish-price').textContent).toContain('349,00'));
    expect(estimate).toHaveBeenLastCalledWith(expect.any(Number), { order_type: 'eat_in', lines: [{ dish: 'd-classic', qty: 2, modifiers: [] }] });
    await fireEvent.click(screen.getByTestId('modifier-m-cheddar-plus'));
    await fireEvent.click(screen.getByTestId('modifier-m-cheddar-plus'));
    expect(draft.qtyOf('m-cheddar')).toBe(2);
    expect((screen.getByTestId('modifier-m-cheddar-plus') as HTMLButtonElement).disabled).toBe(true);
  });
});
