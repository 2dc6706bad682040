/**
 * The kiosk session: which screen is up, the language, accessibility mode, and the customer's
 * intents (start, choose, add, pay, start over) wired to the menu, cart, drafts, checkout and idle
 * timer.
 *
 * Components render from this state and call its methods; they never talk to the backend.
 */
import type { AppInfo } from '../bindings/AppInfo';
import type { Cart } from '../bindings/Cart';
import type { IpcError } from '../bindings/IpcError';
import type { MenuCard } from '../bindings/MenuCard';
import type { OrderType } from '../bindings/OrderType';
import type { OrderView } from '../bindings/OrderView';
import type { PrinterNotice } from '../bindings/PrinterNotice';
import type { CheckoutOptions } from '../ipc';
import { isLang, MESSAGES, type Lang } from '../i18n';
import { asIpcError } from '../ipc-error';
import type { KioskServices } from '../services/ordering';
import { CartState } from './cart.svelte';
import { menuPriceChanges } from './cart-view';
import { CheckoutFlow } from './checkout.svelte';
import { ComboDraft } from './combo-draft.svelte';
import { DishDraft } from './dish-draft.svelte';
import { IdleTimer } from './idle.svelte';
import { MenuState } from './menu.svelte';
import { pickUpsell, type UpsellPick } from './upsell';

export type Screen =
  | 'boot' | 'out_of_service' | 'attract' | 'language' | 'order_type'
  | 'menu' | 'cart' | 'upsell' | 'payment' | 'confirmation';

/** Screens where a customer is ordering, so "Are you still there?" may ask. */
const IDLE_SCREENS: ReadonlySet<Screen> = new Set(['language', 'order_type', 'menu', 'cart', 'upsell']);

/** Seconds the confirmation stays up when the settings do not say (`AppInfo.confirmation_timeout_s`). */
export const CONFIRMATION_S = 30;

export interface Banner {
  error: IpcError;
  retry?: () => void;
}

/** A note for the cart screen after a checkout came back without an order. */
export type CartNotice = 'price_changed_at_pay' | null;

export class Kiosk {
  screen = $state<Screen>('boot');
  info = $state.raw<AppInfo | null>(null);
  lang = $state<Lang>('ru');
  a11y = $state(false);
  sheet = $state<DishDraft | null>(null);
  combo = $state<ComboDraft | null>(null);
  flow = $state<CheckoutFlow | null>(null);
  upsell = $state.raw<UpsellPick | null>(null);
  banner = $state.raw<Banner | null>(null);
  askCancel = $state(false);
  cartNotice = $state<CartNotice>(null);
  /** Seconds left on the confirmation screen. */
  confirmationLeft = $state(CONFIRMATION_S);
  /** Bumped whenever something is added, so the cart button can acknowledge it. */
  added = $state(0);
  /** The slip cannot be printed: the printer dialog asks before anything is charged. */
  printer = $state.raw<PrinterNotice | null>(null);

  readonly menu = new MenuState();
  readonly cart: CartState;
  readonly idle: IdleTimer;

  #services: KioskServices;
  #upsellOffered = false;
  #confirmTimer: ReturnType<typeof setInterval> | null = null;
  #unlisten: Array<() => void> = [];

  constructor(services: KioskServices) {
    this.#services = services;
    this.cart = new CartState(services);
    this.idle = new IdleTimer({ timeoutS: 90, countdownS: 20, onExpire: () => this.reset() });
  }

  t = $derived(MESSAGES[this.lang]);

  /** Languages offered: the settings' list, limited to those with a messages file. */
  languages = $derived.by((): Lang[] => {
    const offered = (this.info?.languages ?? []).filter(isLang);
    return offered.length ? offered : ['ru'];
  });

  /** Seconds the confirmation screen stays before the next customer's attract screen. */
  confirmationS = $derived(this.info && this.info.confirmation_timeout_s > 0 ? this.info.confirmation_timeout_s : CONFIRMATION_S);

  /** The restaurant's name for the headers, when the settings give one. */
  restaurant = $derived(this.info?.restaurant_name?.trim() || null);

  orderTypes = $derived.by((): OrderType[] => {
    const offered = this.info?.order_types ?? [];
    return offered.length ? offered : ['eat_in', 'takeaway'];
  });

  /** Cards for the attract screen's rotating promo: pictures of popular and new dishes first. */
  promos = $derived.by((): MenuCard[] => {
    const cards = (this.menu.view?.cards ?? []).filter((c) => c.has_image && c.availability.kind !== 'out_of_stock');
    const score = (c: MenuCard) => (c.badges.includes('hit') ? 2 : 0) + (c.badges.includes('new') ? 1 : 0) + (c.kind === 'combo' ? 1 : 0);
    return [...cards].sort((a, b) => score(b) - score(a)).slice(0, 6);
  });

  // ---- lifecycle ---------------------------------------------------------------------------

  async boot(): Promise<void> {
    try {
      this.info = await this.#services.appInfo();
    } catch (raw) {
      this.banner = { error: asIpcError(raw), retry: () => void this.boot() };
      this.#go('out_of_service');
      return;
    }
    this.banner = null;
    this.lang = this.#defaultLang();
    this.idle.configure(this.info.idle_timeout_s, this.info.idle_countdown_s);
    if (this.info.out_of_service) {
      this.#go('out_of_service');
      return;
    }
    await this.loadMenu();
    if (this.#unlisten.length === 0) {
      this.#unlisten.push(await this.#services.onMenuUpdated(() => void this.refreshMenu()));
      this.#unlisten.push(await this.#services.onOrderUpdated((view) => this.#orderUpdated(view)));
    }
    this.#go('attract');
  }

  async loadMenu(): Promise<boolean> {
    try {
      this.menu.apply(await this.#services.menu());
      if (this.banner?.error.code === 'menu_unavailable' || this.banner?.retry) this.banner = null;
      return true;
    } catch (raw) {
      this.banner = { error: asIpcError(raw), retry: () => void this.loadMenu() };
      return false;
    }
  }

  /**
   * `menu-updated`: take the new menu without losing the customer's place (screen, section,
   * search, open sheet), note what changed in price for the cart, then re-estimate and re-price
   * it so a dish that became unavailable is marked on its line.
   */
  async refreshMenu(): Promise<void> {
    const before = this.menu.view;
    if (!(await this.loadMenu())) return;
    if (this.menu.view) this.cart.noteMenuChanges(menuPriceChanges(before, this.menu.view, this.cart.lines));
    if (!this.cart.isEmpty) this.cart.reprice();
    void this.sheet?.refreshPrice();
    void this.combo?.refreshPrice();
  }

  dispose(): void {
    for (const u of this.#unlisten) u();
    this.#unlisten = [];
    this.idle.disable();
    this.#stopConfirmationTimer();
  }

  /** Any touch or key press. */
  touch(): void {
    this.idle.touch();
    if (this.screen === 'confirmation') this.confirmationLeft = this.confirmationS;
  }

  // ---- start of an order ---------------------------------------------------------------------

  start(): void {
    if (!this.menu.view) {
      void this.loadMenu();
      return;
    }
    if (this.languages.length > 1) this.#go('language');
    else this.#afterLanguage();
  }

  chooseLanguage(lang: Lang): void {
    this.lang = lang;
    if (this.screen === 'language') this.#afterLanguage();
  }

  chooseOrderType(orderType: OrderType): void {
    this.cart.setOrderType(orderType);
    if (this.screen === 'order_type') this.#go('menu');
  }

  toggleA11y(): void {
    this.a11y = !this.a11y;
  }

  backTo(screen: 'language' | 'order_type' | 'menu'): void {
    this.#go(screen);
  }

  // ---- menu, sheet, combo --------------------------------------------------------------------

  openCard(id: string): void {
    const card = this.menu.cards.get(id);
    if (!card || card.availability.kind === 'out_of_stock') return;
    const common = { menu: this.menu, estimate: this.#estimate, orderType: () => this.cart.orderType };
    if (card.kind === 'combo') {
      this.combo = new ComboDraft({ ...common, comboId: id });
      void this.combo.refreshPrice();
    } else {
      this.sheet = new DishDraft({ ...common, dishId: id });
      void this.sheet.refreshPrice();
    }
  }

  closeSheet(): void {
    this.sheet = null;
  }

  closeCombo(): void {
    this.combo = null;
  }

  submitSheet(): void {
    const draft = this.sheet;
    const line = draft?.submit();
    if (!draft || !line) return;
    if (draft.editIndex !== null) this.cart.replace(draft.editIndex, line);
    else this.cart.add(line);
    this.sheet = null;
    this.added += 1;
  }

  submitCombo(): void {
    const draft = this.combo;
    const line = draft?.submit();
    if (!draft || !line) return;
    if (draft.editIndex !== null) this.cart.replace(draft.editIndex, line);
    else this.cart.add(line);
    this.combo = null;
    this.added += 1;
  }

  editLine(index: number): void {
    const line = this.cart.lines[index];
    if (!line) return;
    const snapshot = $state.snapshot(line);
    const common = { menu: this.menu, estimate: this.#estimate, orderType: () => this.cart.orderType, line: snapshot, editIndex: index };
    if (line.combo && this.menu.combos.has(line.dish)) {
      this.combo = new ComboDraft({ ...common, comboId: line.dish });
      void this.combo.refreshPrice();
    } else if (this.menu.dishes.has(line.dish)) {
      this.sheet = new DishDraft({ ...common, dishId: line.dish });
      void this.sheet.refreshPrice();
    }
  }

  // ---- cart, upsell, payment -----------------------------------------------------------------

  /** Opens the order; the POS is asked again, so the total on screen is the POS's price now. */
  openCart(): void {
    if (!this.cart.isEmpty) this.cart.reprice();
    this.#go('cart');
  }

  /** "Pay" on the cart: the one upsell step first (once per order), then payment. */
  proceed(): void {
    if (!this.cart.canCheckout) return;
    this.cartNotice = null;
    if (!this.#upsellOffered && this.menu.view) {
      this.#upsellOffered = true;
      const pick = pickUpsell(this.menu.view, this.cart.lines);
      if (pick) {
        this.upsell = pick;
        this.#go('upsell');
        return;
      }
    }
    void this.pay();
  }

  skipUpsell(): void {
    this.upsell = null;
    void this.pay();
  }

  /** Adds the suggestion and goes back to the order, where the new total gets confirmed. */
  addUpsell(id: string): void {
    this.upsell = null;
    this.cart.add({ dish: id, qty: 1, modifiers: [] });
    this.added += 1;
    this.#go('cart');
  }

  async pay(options?: CheckoutOptions): Promise<void> {
    const total = this.cart.total;
    if (!this.cart.canCheckout || !total) {
      this.#go('cart');
      return;
    }
    const flow = new CheckoutFlow(this.#services, total.quote.total);
    this.flow = flow;
    this.#go('payment');
    const phase = await flow.run(this.cart.snapshot(), options);
    if (this.flow !== flow) return; // reset meanwhile (should not happen: idle is off)
    if (phase === 'placed' && flow.order) {
      this.#go('confirmation');
      // Catch a status change that happened before the event subscription saw this order.
      this.#services.orderView(flow.order.checkout_id).then(
        (view) => flow.applyUpdate(view),
        () => {},
      );
    } else if (phase === 'printer' && flow.printer) {
      // Nothing was charged: back to the order, where the printer dialog asks.
      this.printer = flow.printer;
      this.flow = null;
      this.#go('cart');
    } else if (phase === 'price_changed' && flow.repriced) {
      this.cart.acceptPosPrice(flow.repriced);
      this.cartNotice = 'price_changed_at_pay';
      this.flow = null;
      this.#go('cart');
    } else {
      this.#go('payment'); // declined, cancelled or failed: the screen stays, idle may resume
    }
  }

  /** The printer dialog's "continue without a slip". */
  continueWithoutSlip(): void {
    if (!this.printer?.choices.includes('continue_without_slip')) return;
    this.printer = null;
    void this.pay({ withoutSlip: true });
  }

  /** The printer dialog's "cancel": back to the order, or (out of service) to the start. */
  dismissPrinter(): void {
    const outOfService = this.printer !== null && !this.printer.choices.includes('continue_without_slip');
    this.printer = null;
    if (outOfService) this.reset();
  }

  backToCart(): void {
    this.flow = null;
    this.#go('cart');
  }

  // ---- endings -------------------------------------------------------------------------------

  requestCancel(): void {
    if (this.cart.isEmpty) this.reset();
    else this.askCancel = true;
  }

  /** Everything back to the attract screen for the next customer. */
  reset(): void {
    this.cart.clear();
    this.sheet = null;
    this.combo = null;
    this.flow = null;
    this.upsell = null;
    this.askCancel = false;
    this.printer = null;
    this.cartNotice = null;
    this.#upsellOffered = false;
    this.a11y = false;
    this.lang = this.#defaultLang();
    this.menu.resetPlace();
    this.#go(this.info?.out_of_service ? 'out_of_service' : 'attract');
  }

  #estimate = (revision: number, cart: Cart) => this.#services.estimate(revision, cart);

  #orderUpdated(view: OrderView): void {
    this.flow?.applyUpdate(view);
  }

  #defaultLang(): Lang {
    const d = this.info?.default_language ?? 'ru';
    return isLang(d) ? d : this.languages[0];
  }

  #afterLanguage(): void {
    if (this.orderTypes.length > 1) {
      this.#go('order_type');
    } else {
      this.cart.setOrderType(this.orderTypes[0]);
      this.#go('menu');
    }
  }

  #go(screen: Screen): void {
    this.screen = screen;
    const mayAsk = IDLE_SCREENS.has(screen) || (screen === 'payment' && this.flow !== null && !this.flow.busy);
    if (mayAsk) this.idle.enable();
    else this.idle.disable();
    if (screen === 'confirmation') this.#startConfirmationTimer();
    else this.#stopConfirmationTimer();
  }

  #startConfirmationTimer(): void {
    this.#stopConfirmationTimer();
    this.confirmationLeft = this.confirmationS;
    this.#confirmTimer = setInterval(() => {
      this.confirmationLeft -= 1;
      if (this.confirmationLeft <= 0) this.reset();
    }, 1000);
  }

  #stopConfirmationTimer(): void {
    if (this.#confirmTimer !== null) clearInterval(this.#confirmTimer);
    this.#confirmTimer = null;
  }
}
