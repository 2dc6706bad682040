/**
 * The backend actions the kiosk's state uses, as plain functions over `ipc.ts`.
 *
 * State classes take a `KioskServices` object rather than importing `ipc.ts`, so tests can hand
 * them the fake backend (or a hand-made one) with exact control over timing.
 */
import type { AppInfo } from '../bindings/AppInfo';
import type { MenuView } from '../bindings/MenuView';
import type { OrderView } from '../bindings/OrderView';
import type { MenuCard } from '../bindings/MenuCard';
import * as ipc from '../ipc';
import type { ImageSize, KioskBackend, MenuUpdated, Unlisten } from '../ipc';
import type { PricingPort } from '../state/cart.svelte';
import type { CheckoutPort } from '../state/checkout.svelte';

export interface KioskServices extends PricingPort, CheckoutPort {
  appInfo(): Promise<AppInfo>;
  menu(): Promise<MenuView>;
  orderView(checkoutId: string): Promise<OrderView>;
  onMenuUpdated(handler: (payload: MenuUpdated) => void): Promise<Unlisten>;
  onOrderUpdated(handler: (view: OrderView) => void): Promise<Unlisten>;
}

/** Services over a given backend (tests pass the fake). */
export function servicesFor(b: KioskBackend): KioskServices {
  return {
    appInfo: () => b.appInfo(),
    menu: () => b.menu(),
    estimate: (revision, cart) => b.estimateCart(revision, cart),
    price: (revision, cart) => b.priceCart(revision, cart),
    checkout: (cart, expectedTotal, onEvent, options) => b.checkout(cart, expectedTotal, onEvent, options),
    cancelPayment: () => b.cancelPayment?.() ?? Promise.resolve(false),
    orderView: (id) => b.orderView(id),
    onMenuUpdated: (h) => b.onMenuUpdated(h),
    onOrderUpdated: (h) => b.onOrderUpdated(h),
  };
}

/** Services over whatever backend `ipc.ts` selected (Tauri, or the fake in a browser). */
export const defaultServices: KioskServices = {
  appInfo: ipc.appInfo,
  menu: ipc.menu,
  estimate: ipc.estimateCart,
  price: ipc.priceCart,
  checkout: ipc.checkout,
  cancelPayment: ipc.cancelPayment,
  orderView: ipc.orderView,
  onMenuUpdated: ipc.onMenuUpdated,
  onOrderUpdated: ipc.onOrderUpdated,
};

/** The picture of a menu card, or null when the POS has none (the UI shows its placeholder). */
export function cardImage(card: Pick<MenuCard, 'id' | 'kind' | 'has_image'>, size: ImageSize): string | null {
  return card.has_image ? ipc.imageUrl(card.kind, card.id, size) : null;
}

export function dishImage(id: string, hasImage: boolean, size: ImageSize): string | null {
  return hasImage ? ipc.imageUrl('dish', id, size) : null;
}

export function comboImage(id: string, hasImage: boolean, size: ImageSize): string | null {
  return hasImage ? ipc.imageUrl('combo', id, size) : null;
}

export function sectionImage(id: string): string {
  return ipc.imageUrl('section', id, 'card');
}
