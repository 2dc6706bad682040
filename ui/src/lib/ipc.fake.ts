/**
 * TEST DOUBLE: an in-process stand-in for the Rust core, used when the page runs outside Tauri
 * (a plain browser, `vite preview`, Vitest).
 *
 * It serves the demo catalog from `fake/menu-data.ts`, prices carts with simple POS-like rules
 * (a 5 % discount from 1000 ₽, a packaging markup for take-away, one drink the "POS" prices
 * differently from the menu), simulates latency, streams checkout progress and order status.
 *
 * The decimal-string helpers below (`toKop`/`fromKop`) exist ONLY so this fake can produce
 * believable test data; the real UI never does money arithmetic, the Rust core does.
 *
 * Switches (URL query of the page, or `window.__kioskFake.setOptions`):
 * `?decline=1` payment declined, `?counter=1` pay at the counter, `?qr=1` QR payment,
 * `?posdown=1` POS unreachable, `?refuse=d-syrniki` the POS refuses a dish, `?refund=1` the POS
 * refuses the paid order (refund path), `?latency=0` no simulated delay, `?idle=20&countdown=10`
 * short idle timers, `?oos=reason` out of service, `?printer=paper_out` the receipt printer cannot
 * print (the guest may go on without a slip; with `&printeroos=1` the kiosk is out of service),
 * `?mode=staff` or `?mode=board` the device the app starts as (the staff tablet, the order board).
 */
import type { AppInfo } from './bindings/AppInfo';
import type { AppMode } from './bindings/AppMode';
import type { Cart } from './bindings/Cart';
import type { CartProblem } from './bindings/CartProblem';
import type { ChosenModifier } from './bindings/ChosenModifier';
import type { Catalog } from './bindings/Catalog';
import type { CheckoutEvent } from './bindings/CheckoutEvent';
import type { CheckoutResult } from './bindings/CheckoutResult';
import type { Dish } from './bindings/Dish';
import type { IpcError } from './bindings/IpcError';
import type { MenuCard } from './bindings/MenuCard';
import type { MenuView } from './bindings/MenuView';
import type { Modifier } from './bindings/Modifier';
import type { OrderView } from './bindings/OrderView';
import type { PriceChange } from './bindings/PriceChange';
import type { PricedCart } from './bindings/PricedCart';
import type { PrinterProblem } from './bindings/PrinterProblem';
import type { QuoteLine } from './bindings/QuoteLine';
import type { QuoteModifier } from './bindings/QuoteModifier';
import type { Adjustment } from './bindings/Adjustment';
import type { ImageKind, ImageSize, KioskBackend, MenuUpdated, Unlisten } from './ipc';
import { artDataUri } from './fake/art';
import { ART, demoCatalog } from './fake/menu-data';

export interface FakeOptions {
  /** Multiplies every simulated delay; 0 answers on the next microtask. */
  latency?: number;
  decline?: boolean;
  payAtCounter?: boolean;
  qr?: boolean;
  posDown?: boolean;
  /** Dish ids the "POS" refuses when pricing. */
  refuse?: string[];
  /** The "POS" takes the payment but refuses the order: refund path. */
  refund?: boolean;
  idleTimeoutS?: number;
  idleCountdownS?: number;
  outOfService?: string | null;
  /** The device this is (`[kiosk] mode`): the customer's kiosk unless told otherwise. */
  mode?: AppMode;
  /** The receipt printer's problem before payments (none: it prints). */
  printer?: PrinterProblem | null;
  /** With `printer`: no payment without a slip (out of service). */
  printerOutOfService?: boolean;
}

/** What a simulated menu refresh changes. */
export interface MenuChange {
  /** Dish id → new menu price (decimal string). */
  prices?: Record<string, string>;
  /** Dish ids that run out. */
  soldOut?: string[];
}

export interface FakeBackend extends KioskBackend {
  readonly options: FakeOptions;
  setOptions(patch: Partial<FakeOptions>): void;
  /**
   * Simulates a menu refresh on the "POS" and emits `menu-updated`: the sold-out dish comes back,
   * and the given dishes change price or run out.
   */
  bumpMenu(change?: MenuChange): void;
  /** Number of `price_cart` calls answered or rejected so far (tests count them). */
  readonly priceCalls: number;
}

/** Reads the switches from a query string such as `?decline=1&latency=0`. */
export function fakeOptionsFromUrl(search: string): FakeOptions {
  const q = new URLSearchParams(search);
  const flag = (k: string) => q.has(k) && q.get(k) !== '0';
  const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  return {
    latency: num('latency'),
    decline: flag('decline'),
    payAtCounter: flag('counter'),
    qr: flag('qr'),
    posDown: flag('posdown'),
    refuse: q.get('refuse')?.split(',').filter(Boolean),
    refund: flag('refund'),
    idleTimeoutS: num('idle'),
    idleCountdownS: num('countdown'),
    outOfService: q.get('oos'),
    mode: (['staff', 'board'] as const).find((m) => m === q.get('mode')) ?? 'customer',
    printer: q.get('printer') as PrinterProblem | null,
    printerOutOfService: flag('printeroos'),
  };
}

// ---- decimal-string helpers: TEST DOUBLE ONLY -------------------------------------------------

/** "189.90" → 18990 kopecks (integers, so the fake's sums are exact). */
export function toKop(m: string): number {
  const negative = m.startsWith('-');
  const [int, frac = ''] = m.replace(/^[-+]/, '').split('.');
  const value = Number(int) * 100 + Number((frac + '00').slice(0, 2));
  return negative ? -value : value;
}

/** 18990 → "189.90". */
export function fromKop(k: number): string {
  const sign = k < 0 ? '-' : '';
  const abs = Math.abs(k);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

// ---- the fake POS ------------------------------------------------------------------------------

/** What the "POS" charges where it differs from the menu (the kiosk shows a price notice). */
const POS_PRICES: Record<string, string> = { 'd-mors': '159.00' };
const DISCOUNT_FROM = 100000; // 1000 ₽ in kopecks
const TAKEAWAY_PACKAGING = '15.00';

function fail(code: IpcError['code'], message: string, problems?: CartProblem[]): IpcError {
  return problems ? { code, message, problems } : { code, message };
}

function buildMenuView(catalog: Catalog): MenuView {
  const groups = new Map(catalog.modifier_groups.map((g) => [g.id, g]));
  const sectionOrder = new Map(catalog.sections.map((s) => [s.id, s.sort]));
  const cards: MenuCard[] = [];
  for (const d of catalog.dishes) {
    let cheapest = toKop(d.price);
    let needsChoices = false;
    for (const gid of d.modifier_groups) {
      const g = groups.get(gid);
      if (!g || g.min === 0) continue;
      needsChoices = true;
      const prices = g.modifiers.filter((m) => m.available && !m.auto).map((m) => toKop(m.price));
      if (prices.length) cheapest += Math.min(...prices) * g.min;
    }
    cards.push({
      id: d.id, kind: 'dish', section: d.section, name: d.name, description: d.description,
      price: d.price, from_price: cheapest > toKop(d.price) ? fromKop(cheapest) : null,
      availability: d.availability, badges: d.badges, needs_choices: needsChoices,
      has_image: d.image_url !== null,
    });
  }
  for (const c of catalog.combos) {
    cards.push({
      id: c.id, kind: 'combo', section: c.section, name: c.name, description: c.description,
      price: c.price, from_price: null, availability: c.availability, badges: [],
      needs_choices: true, has_image: c.image_url !== null,
    });
  }
  const sortOf = (card: MenuCard) =>
    card.kind === 'dish'
      ? catalog.dishes.find((d) => d.id === card.id)!.sort
      : catalog.combos.find((c) => c.id === card.id)!.sort;
  cards.sort((a, b) => (sectionOrder.get(a.section)! - sectionOrder.get(b.section)!) || sortOf(a) - sortOf(b));
  const sections = [...catalog.sections]
    .sort((a, b) => a.sort - b.sort)
    .map((s) => ({ id: s.id, name: s.name, card_count: cards.filter((c) => c.section === s.id).length }))
    .filter((s) => s.card_count > 0);
  return { version: catalog.version, sections, cards, catalog, age_s: 42 };
}

/** Prices a cart the way the fake POS would; `pos` adds its adjustments and price differences. */
function price(catalog: Catalog, cart: Cart, revision: number, source: 'estimate' | 'pos'): PricedCart {
  const dishes = new Map(catalog.dishes.map((d) => [d.id, d]));
  const combos = new Map(catalog.combos.map((c) => [c.id, c]));
  const groups = new Map(catalog.modifier_groups.map((g) => [g.id, g]));
  const problems: CartProblem[] = [];
  const lines: QuoteLine[] = [];
  const changes: PriceChange[] = [];
  if (cart.lines.length === 0) problems.push({ kind: 'empty' });

  /** The core's modifier rules for one dish (or combo part); returns what the modifiers add. */
  const checkModifiers = (dish: Dish, chosenList: ChosenModifier[], index: number, lineQty = 1) => {
    const dishGroups = dish.modifier_groups.map((g) => groups.get(g)).filter((g) => g !== undefined);
    const offered = new Map<string, Modifier>(dishGroups.flatMap((g) => g.modifiers.map((m) => [m.id, m] as [string, Modifier])));
    let unit = 0;
    const modifiers: QuoteModifier[] = [];
    for (const chosen of chosenList) {
      const m = offered.get(chosen.id);
      if (!m) {
        problems.push({ kind: 'unknown_modifier', line: index, modifier: chosen.id });
        continue;
      }
      if (chosen.qty > m.max_quantity) {
        problems.push({ kind: 'modifier_quantity', line: index, modifier: m.id, max: m.max_quantity });
      }
      unit += toKop(m.price) * chosen.qty;
      modifiers.push({ id: m.id, name: m.name, qty: chosen.qty, total: fromKop(toKop(m.price) * chosen.qty * lineQty) });
    }
    for (const g of dishGroups) {
      if (g.modifiers.every((m) => m.auto)) continue;
      const n = chosenList.filter((c) => g.modifiers.some((m) => m.id === c.id)).reduce((s, c) => s + c.qty, 0);
      if (n < g.min) problems.push({ kind: 'too_few_modifiers', line: index, group: g.id, group_name: g.name, min: g.min, chosen: n });
      if (g.max !== null && n > g.max) problems.push({ kind: 'too_many_modifiers', line: index, group: g.id, group_name: g.name, max: g.max, chosen: n });
    }
    return { unit, modifiers };
  };

  const dishPrice = (d: Dish) => (source === 'pos' && POS_PRICES[d.id] ? POS_PRICES[d.id] : d.price);

  cart.lines.forEach((line, i) => {
    const index = i + 1; // the core numbers cart lines from 1
    if (line.qty < 1 || line.qty > 99) problems.push({ kind: 'bad_quantity', line: index, qty: line.qty });
    const combo = combos.get(line.dish);
    if (combo) {
      let unit = toKop(combo.price);
      if (combo.availability.kind === 'out_of_stock') {
        problems.push({ kind: 'unavailable', line: index, dish: combo.id, name: combo.name });
      }
      for (const slot of combo.slots) {
        const picks = (line.combo ?? []).filter((p) => p.slot === slot.id);
        const chosen = picks.reduce((n, p) => n + p.qty, 0);
        if (chosen < slot.min || chosen > slot.max) {
          problems.push({ kind: 'combo_slot', line: index, slot: slot.id, slot_name: slot.name, min: slot.min, max: slot.max, chosen });
        }
        for (const pick of picks) {
          const choice = slot.choices.find((c) => c.dish === pick.dish);
          if (!choice) {
            problems.push({ kind: 'combo_choice', line: index, slot: slot.id, dish: pick.dish });
            continue;
          }
          unit += toKop(choice.price_delta) * pick.qty;
          const d = dishes.get(pick.dish);
          if (d && d.availability.kind === 'out_of_stock') {
            problems.push({ kind: 'unavailable', line: index, dish: d.id, name: d.name });
          }
          if (d) unit += checkModifiers(d, pick.modifiers ?? [], index).unit * pick.qty;
        }
      }
      lines.push({ dish: combo.id, name: combo.name, qty: line.qty, unit_price: fromKop(unit), modifiers: [], total: fromKop(unit * line.qty) });
      return;
    }
    const dish = dishes.get(line.dish);
    if (!dish) {
      problems.push({ kind: 'unknown_dish', line: index, dish: line.dish });
      return;
    }
    if (dish.availability.kind === 'out_of_stock') {
      problems.push({ kind: 'unavailable', line: index, dish: dish.id, name: dish.name });
    }
    let unit = toKop(dishPrice(dish));
    if (POS_PRICES[dish.id] && source === 'pos') {
      changes.push({ dish: dish.id, name: dish.name, menu_price: dish.price, pos_price: POS_PRICES[dish.id] });
    }
    const checked = checkModifiers(dish, line.modifiers, index, line.qty);
    unit += checked.unit;
    const modifiers = checked.modifiers;
    lines.push({ dish: dish.id, name: dish.name, qty: line.qty, unit_price: fromKop(unit), modifiers, total: fromKop(unit * line.qty) });
  });

  const subtotal = lines.reduce((s, l) => s + toKop(l.total), 0);
  const adjustments: Adjustment[] = [];
  if (source === 'pos') {
    if (subtotal >= DISCOUNT_FROM) {
      adjustments.push({ kind: 'discount', name: 'Скидка 5% на заказ от 1000 ₽', amount: fromKop(-Math.round(subtotal * 0.05)), auto: true });
    }
    if (cart.order_type === 'takeaway' && lines.length > 0) {
      adjustments.push({ kind: 'markup', name: 'Упаковка с собой', amount: TAKEAWAY_PACKAGING, auto: true });
    }
  }
  const total = subtotal + adjustments.reduce((s, a) => s + toKop(a.amount), 0);
  return {
    revision: revision,
    quote: { source, lines, adjustments, subtotal: fromKop(subtotal), total: fromKop(total) },
    changes,
    problems,
  };
}

/** Builds the fake backend. Each call has its own menu, orders and listeners. */
export function createFakeBackend(initial: FakeOptions = {}): FakeBackend {
  const options: FakeOptions = { ...initial };
  let menuVersion = 1;
  let catalog = demoCatalog(`demo-${menuVersion}`);
  let orderNumber = 41;
  /** A QR payment on screen the customer may cancel (`cancelPayment`). */
  let qrCancel: (() => void) | null = null;
  let priceCalls = 0;
  const orders = new Map<string, OrderView>();
  const menuListeners = new Set<(p: MenuUpdated) => void>();
  const orderListeners = new Set<(v: OrderView) => void>();

  const sleep = (ms: number) => {
    const f = options.latency ?? 1;
    return f > 0 ? new Promise<void>((r) => setTimeout(r, ms * f)) : Promise.resolve();
  };
  const listenTo = <T>(set: Set<(p: T) => void>, handler: (p: T) => void): Promise<Unlisten> => {
    set.add(handler);
    return Promise.resolve(() => void set.delete(handler));
  };
  const publish = (view: OrderView) => {
    orders.set(view.checkout_id, view);
    for (const l of orderListeners) l(structuredClone(view));
  };

  /** After a placed order, walk it through the POS statuses as a kitchen would. */
  const track = (view: OrderView) => {
    if (view.notice?.kind === 'refunding') {
      setTimeout(() => publish({ ...view, state: 'refunded', notice: { kind: 'refunded', reason: view.notice && 'reason' in view.notice ? view.notice.reason : '' } }), 6000 * (options.latency ?? 1));
      return;
    }
    const steps: Array<Partial<OrderView>> = [
      { state: 'tracking', pos_status: { kind: 'open' } },
      { state: 'tracking', pos_status: { kind: 'bill' } },
      { state: 'completed', pos_status: { kind: 'closed' } },
    ];
    steps.forEach((patch, i) => {
      setTimeout(() => publish({ ...orders.get(view.checkout_id)!, ...patch }), (4000 + i * 6000) * (options.latency ?? 1));
    });
  };

  const backend: FakeBackend = {
    get options() {
      return options;
    },
    get priceCalls() {
      return priceCalls;
    },
    setOptions(patch) {
      Object.assign(options, patch);
    },
    bumpMenu(change = {}) {
      menuVersion += 1;
      const previous = catalog;
      catalog = demoCatalog(`demo-${menuVersion}`);
      catalog.dishes = catalog.dishes.map((d) => {
        const before = previous.dishes.find((p) => p.id === d.id) ?? d;
        let next: Dish = { ...d, price: before.price, availability: before.availability };
        if (d.id === 'd-sticks') next = { ...next, availability: { kind: 'available' } };
        if (change.prices?.[d.id]) next = { ...next, price: change.prices[d.id] };
        if (change.soldOut?.includes(d.id)) next = { ...next, availability: { kind: 'out_of_stock', reason: 'sold_out' } };
        return next;
      });
      for (const l of menuListeners) l({ version: catalog.version });
    },

    async appInfo(): Promise<AppInfo> {
      await sleep(20);
      return {
        version: '0.1.0-demo', demo: true, pos: 'demo', payment: 'demo',
        languages: ['ru', 'en'], default_language: 'ru', order_types: ['eat_in', 'takeaway'],
        idle_timeout_s: options.idleTimeoutS ?? 90, idle_countdown_s: options.idleCountdownS ?? 20,
        confirmation_timeout_s: 30, restaurant_name: 'Бургерная «Огонёк»', out_of_service: options.outOfService ?? null,
        mode: options.mode ?? 'customer',
      };
    },

    async menu() {
      await sleep(150);
      return buildMenuView(structuredClone(catalog));
    },

    async estimateCart(revision, cart) {
      await sleep(25);
      return price(catalog, cart, revision, 'estimate');
    },

    async priceCart(revision, cart) {
      await sleep(650);
      priceCalls += 1;
      if (options.posDown) throw fail('pos_unreachable', 'Касса не отвечает');
      const refused = cart.lines.find((l) => options.refuse?.includes(l.dish));
      if (refused) {
        // As the core does: the POS names the dish, the core adds the cart lines that hold it.
        const name = catalog.dishes.find((d) => d.id === refused.dish)?.name ?? refused.dish;
        const lines: CartProblem[] = cart.lines.flatMap((l, i) =>
          l.dish === refused.dish ? [{ kind: 'unavailable' as const, line: i + 1, dish: refused.dish, name }] : [],
        );
        throw { ...fail('dish_unavailable', `Касса сообщает: «${name}» закончилось`, lines), dish: refused.dish };
      }
      const priced = price(catalog, cart, revision, 'pos');
      if (priced.problems.length) throw fail('cart_invalid', 'Корзину нельзя заказать в таком виде', priced.problems);
      return priced;
    },

    async checkout(cart, expectedTotal, onEvent, checkoutOptions): Promise<CheckoutResult> {
      const emit = (e: CheckoutEvent) => onEvent(structuredClone(e));
      await sleep(300);
      if (options.posDown) throw fail('pos_unreachable', 'Касса не отвечает');
      const priced = price(catalog, cart, 0, 'pos');
      if (priced.problems.length) throw fail('cart_invalid', 'Корзину нельзя заказать в таком виде', priced.problems);
      if (priced.quote.total !== expectedTotal) return { kind: 'price_changed', quote: priced };
      if (options.printer && (options.printerOutOfService || !checkoutOptions?.withoutSlip)) {
        const choices = options.printerOutOfService ? (['cancel'] as const) : (['continue_without_slip', 'cancel'] as const);
        throw { ...fail('printer_unavailable', `Принтер чеков: ${options.printer}`), printer: { problem: options.printer, choices: [...choices] } };
      }
      emit({ kind: 'state', state: 'priced' });
      orderNumber += 1;
      const base: OrderView = {
        checkout_id: `demo-${orderNumber}-${Date.now().toString(36)}`, number: String(orderNumber), state: 'posted',
        pos_order_id: `R${100000 + orderNumber}`, pos_status: { kind: 'open' }, total: priced.quote.total,
        order_type: cart.order_type, pay_at_counter: false, notice: null,
        slip: options.printer ? 'skipped' : 'pending',
      };
      // As the core does: the slip prints once the order is placed, in the background.
      const printSlip = (id: string) => {
        if (options.printer) return;
        setTimeout(() => publish({ ...orders.get(id)!, slip: 'printed' }), 1500 * (options.latency ?? 1));
      };
      if (options.payAtCounter) {
        emit({ kind: 'state', state: 'posting' });
        await sleep(900);
        emit({ kind: 'state', state: 'posted' });
        const view = { ...base, pay_at_counter: true, pos_status: { kind: 'deferred' } as const };
        orders.set(view.checkout_id, view);
        printSlip(view.checkout_id);
        return { kind: 'placed', order: view };
      }
      emit({ kind: 'state', state: 'payment_started' });
      emit({ kind: 'payment', progress: { kind: 'started', amount: priced.quote.total } });
      await sleep(700);
      if (options.qr) {
        emit({ kind: 'payment', progress: { kind: 'show_qr', payload: `https://qr.nspk.ru/AD10006M8KH5Q7V9${orderNumber}?type=02&sum=${toKop(priced.quote.total)}&cur=RUB`, expires_in_s: 120 } });
        const cancelled = await new Promise<boolean>((done) => {
          const timer = setTimeout(() => done(false), 5000 * (options.latency ?? 1));
          qrCancel = () => {
            clearTimeout(timer);
            done(true);
          };
        });
        qrCancel = null;
        if (cancelled) {
          emit({ kind: 'state', state: 'payment_failed' });
          return { kind: 'payment_cancelled' };
        }
      } else {
        emit({ kind: 'payment', progress: { kind: 'prompt', text: 'Приложите карту или телефон к терминалу' } });
        await sleep(2600);
      }
      emit({ kind: 'payment', progress: { kind: 'processing' } });
      await sleep(1400);
      if (options.decline) {
        emit({ kind: 'state', state: 'payment_failed' });
        return { kind: 'payment_declined', reason: 'Банк отклонил операцию: недостаточно средств' };
      }
      emit({ kind: 'state', state: 'paid' });
      await sleep(300);
      emit({ kind: 'state', state: 'posting' });
      await sleep(900);
      if (options.refund) {
        const view: OrderView = { ...base, state: 'refunding', pos_order_id: null, pos_status: null, notice: { kind: 'refunding', reason: 'Касса отклонила заказ' } };
        emit({ kind: 'state', state: 'refunding' });
        orders.set(view.checkout_id, view);
        track(view);
        return { kind: 'placed', order: view };
      }
      emit({ kind: 'state', state: 'posted' });
      orders.set(base.checkout_id, base);
      track(base);
      printSlip(base.checkout_id);
      return { kind: 'placed', order: base };
    },

    async cancelPayment() {
      if (!qrCancel) return false;
      qrCancel();
      return true;
    },

    async orderView(checkoutId) {
      await sleep(30);
      const view = orders.get(checkoutId);
      if (!view) throw fail('not_found', `Заказ ${checkoutId} не найден`);
      return structuredClone(view);
    },

    onMenuUpdated: (handler) => listenTo(menuListeners, handler),
    onOrderUpdated: (handler) => listenTo(orderListeners, handler),

    imageUrl(kind: ImageKind, id: string, size: ImageSize) {
      const art = ART[id];
      // Mirrors the real scheme: an unknown id (and, on purpose, the Greek salad) gives an image
      // that fails to decode, which the UI must turn into its placeholder.
      if (!art || (kind === 'dish' && id === 'd-greek')) return `data:image/png;base64,AAAA#${kind}-${encodeURIComponent(id)}`;
      return artDataUri(art.kind, art.hue, size === 'detail');
    },
  };
  return backend;
}
