/**
 * The typed boundary to the Rust core: the only module that calls Tauri's `invoke`.
 *
 * Every command and event the UI uses is wrapped here with the generated binding types, and every
 * rejection is normalised to an `IpcError` so callers branch on `code`, never on text. When the
 * page is not inside Tauri (`window.__TAURI_INTERNALS__` is absent: a plain browser, Vitest) the
 * calls go to the in-process fake in `ipc.fake.ts`, so the whole UI stays clickable.
 *
 * Tests swap the backend with `useBackend()`.
 */
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppInfo } from './bindings/AppInfo';
import type { Cart } from './bindings/Cart';
import type { CheckoutEvent } from './bindings/CheckoutEvent';
import type { CheckoutResult } from './bindings/CheckoutResult';
import type { MenuView } from './bindings/MenuView';
import type { Money } from './bindings/Money';
import type { OrderView } from './bindings/OrderView';
import type { PricedCart } from './bindings/PricedCart';
import { createFakeBackend, fakeOptionsFromUrl } from './ipc.fake';
import { asIpcError } from './ipc-error';

export { asIpcError, isIpcError } from './ipc-error';

export type ImageKind = 'dish' | 'combo' | 'section';
export type ImageSize = 'card' | 'detail';
export type Unlisten = () => void;

/** Payload of the `menu-updated` event. */
export interface MenuUpdated {
  version: string;
}

/** The guest's answers that change how a checkout runs. */
export interface CheckoutOptions {
  /** Told the printer cannot print, the guest chose to pay without a slip. */
  withoutSlip?: boolean;
}

/** Everything the UI asks of the backend; implemented by Tauri below and by the fake. */
export interface KioskBackend {
  appInfo(): Promise<AppInfo>;
  menu(): Promise<MenuView>;
  estimateCart(revision: number, cart: Cart): Promise<PricedCart>;
  priceCart(revision: number, cart: Cart): Promise<PricedCart>;
  checkout(
    cart: Cart,
    expectedTotal: Money,
    onEvent: (event: CheckoutEvent) => void,
    options?: CheckoutOptions,
  ): Promise<CheckoutResult>;
  /** The customer's "Cancel" while a QR code is on screen; false when nothing can be stopped. */
  cancelPayment?(): Promise<boolean>;
  orderView(checkoutId: string): Promise<OrderView>;
  onMenuUpdated(handler: (payload: MenuUpdated) => void): Promise<Unlisten>;
  onOrderUpdated(handler: (view: OrderView) => void): Promise<Unlisten>;
  imageUrl(kind: ImageKind, id: string, size: ImageSize): string;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asIpcError(error);
  }
}

/** True inside the Tauri web view. */
export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * The image URL the Rust side serves through its `kiosk` URI scheme. WebView2 on Windows (and
 * Android) cannot load custom schemes directly, so Tauri maps them to `http://<scheme>.localhost`.
 */
export function tauriImageUrl(kind: ImageKind, id: string, size: ImageSize, userAgent: string): string {
  const path = `image/${kind}/${encodeURIComponent(id)}?size=${size}`;
  return /Windows|Android/i.test(userAgent) ? `http://kiosk.localhost/${path}` : `kiosk://localhost/${path}`;
}

/** The real backend: Tauri commands and events. */
export const tauriBackend: KioskBackend = {
  appInfo: () => call<AppInfo>('app_info'),
  menu: () => call<MenuView>('menu'),
  estimateCart: (revision, cart) => call<PricedCart>('estimate_cart', { revision, cart }),
  priceCart: (revision, cart) => call<PricedCart>('price_cart', { revision, cart }),
  checkout: (cart, expectedTotal, onEvent, options) => {
    const channel = new Channel<CheckoutEvent>();
    channel.onmessage = onEvent;
    return call<CheckoutResult>('checkout', { cart, expectedTotal, onEvent: channel, withoutSlip: options?.withoutSlip ?? false });
  },
  cancelPayment: () => call<boolean>('cancel_payment'),
  orderView: (checkoutId) => call<OrderView>('order_view', { checkoutId }),
  onMenuUpdated: (handler) => listen<MenuUpdated>('menu-updated', (e) => handler(e.payload)),
  onOrderUpdated: (handler) => listen<OrderView>('order-updated', (e) => handler(e.payload)),
  imageUrl: (kind, id, size) => tauriImageUrl(kind, id, size, navigator.userAgent),
};

let active: KioskBackend | null = null;

/** The backend in use: Tauri when inside the app, otherwise the fake (built on first use). */
export function backend(): KioskBackend {
  if (!active) {
    active = isTauri()
      ? tauriBackend
      : createFakeBackend(typeof location === 'undefined' ? {} : fakeOptionsFromUrl(location.search));
  }
  return active;
}

/** Replaces the backend (tests, demos). Returns the previous one. */
export function useBackend(next: KioskBackend | null): KioskBackend | null {
  const previous = active;
  active = next;
  return previous;
}

// The flat API the rest of the UI imports.
export const appInfo = (): Promise<AppInfo> => backend().appInfo();
export const menu = (): Promise<MenuView> => backend().menu();
export const estimateCart = (revision: number, cart: Cart): Promise<PricedCart> =>
  backend().estimateCart(revision, cart);
export const priceCart = (revision: number, cart: Cart): Promise<PricedCart> =>
  backend().priceCart(revision, cart);
export const checkout = (
  cart: Cart,
  expectedTotal: Money,
  onEvent: (event: CheckoutEvent) => void,
  options?: CheckoutOptions,
): Promise<CheckoutResult> => backend().checkout(cart, expectedTotal, onEvent, options);
export const cancelPayment = (): Promise<boolean> => backend().cancelPayment?.() ?? Promise.resolve(false);
export const orderView = (checkoutId: string): Promise<OrderView> => backend().orderView(checkoutId);
export const onMenuUpdated = (handler: (payload: MenuUpdated) => void): Promise<Unlisten> =>
  backend().onMenuUpdated(handler);
export const onOrderUpdated = (handler: (view: OrderView) => void): Promise<Unlisten> =>
  backend().onOrderUpdated(handler);
export const imageUrl = (kind: ImageKind, id: string, size: ImageSize): string =>
  backend().imageUrl(kind, id, size);
