/**
 * One "Pay" tap: runs the core's checkout, follows its progress stream, and then the order's
 * live status.
 *
 * The core owns the state machine (journal, payment, posting, refunds); this class only mirrors
 * what it reports: `CheckoutEvent`s from the channel while paying, the `CheckoutResult`, then
 * `order-updated` events for the placed order.
 */
import type { Cart } from '../bindings/Cart';
import type { CheckoutEvent } from '../bindings/CheckoutEvent';
import type { CheckoutResult } from '../bindings/CheckoutResult';
import type { CheckoutState } from '../bindings/CheckoutState';
import type { IpcError } from '../bindings/IpcError';
import type { Money } from '../bindings/Money';
import type { OrderView } from '../bindings/OrderView';
import type { PaymentProgress } from '../bindings/PaymentProgress';
import type { PricedCart } from '../bindings/PricedCart';
import type { PrinterNotice } from '../bindings/PrinterNotice';
import type { CheckoutOptions } from '../ipc';
import { asIpcError } from '../ipc-error';

/** `printer`: nothing was charged because the slip cannot be printed (see `printer`). */
export type CheckoutPhase = 'running' | 'placed' | 'declined' | 'cancelled' | 'price_changed' | 'failed' | 'printer';

export interface CheckoutPort {
  checkout(
    cart: Cart,
    expectedTotal: Money,
    onEvent: (event: CheckoutEvent) => void,
    options?: CheckoutOptions,
  ): Promise<CheckoutResult>;
  /** The customer's "Cancel" while a QR code is on screen; false when nothing can be stopped. */
  cancelPayment?(): Promise<boolean>;
}

export class CheckoutFlow {
  readonly amount: Money;
  phase = $state<CheckoutPhase>('running');
  /** The newest state the core reported while running. */
  state = $state<CheckoutState | null>(null);
  /** The newest payment progress (terminal prompt, QR code…). */
  progress = $state.raw<PaymentProgress | null>(null);
  order = $state.raw<OrderView | null>(null);
  /** The bank's or terminal's reason for a decline. */
  reason = $state('');
  error = $state.raw<IpcError | null>(null);
  /** The POS's new price when it changed under the customer. */
  repriced = $state.raw<PricedCart | null>(null);
  /** Why the slip cannot be printed and what the guest may do (phase `printer`). */
  printer = $state.raw<PrinterNotice | null>(null);

  #port: CheckoutPort;

  constructor(port: CheckoutPort, amount: Money) {
    this.#port = port;
    this.amount = amount;
  }

  /** The status the confirmation screen shows: the POS's when known, else the checkout state. */
  statusKind = $derived(this.order ? (this.order.pos_status?.kind ?? this.order.state) : (this.state ?? 'priced'));

  /** True while money may be moving or the order is being placed: nothing may interrupt. */
  busy = $derived(this.phase === 'running');

  /** The customer asked to cancel the QR payment; the core is closing it. */
  cancelling = $state(false);

  /**
   * The customer's "Cancel" while the QR code is on screen. The core closes the QR at the bank
   * and the checkout ends as cancelled (or goes on, if the payment arrived meanwhile).
   */
  async cancel(): Promise<void> {
    if (this.cancelling || this.phase !== 'running') return;
    this.cancelling = true;
    try {
      if (!(await (this.#port.cancelPayment?.() ?? Promise.resolve(false)))) this.cancelling = false;
    } catch {
      this.cancelling = false;
    }
  }

  async run(cart: Cart, options?: CheckoutOptions): Promise<CheckoutPhase> {
    let result: CheckoutResult;
    try {
      result = await this.#port.checkout(cart, this.amount, (event) => this.onEvent(event), options);
    } catch (raw) {
      this.error = asIpcError(raw);
      this.printer = this.error.code === 'printer_unavailable' ? (this.error.printer ?? null) : null;
      this.phase = this.printer ? 'printer' : 'failed';
      return this.phase;
    }
    switch (result.kind) {
      case 'placed':
        this.order = result.order;
        this.phase = 'placed';
        break;
      case 'payment_declined':
        this.reason = result.reason;
        this.phase = 'declined';
        break;
      case 'payment_cancelled':
        this.phase = 'cancelled';
        break;
      case 'price_changed':
        this.repriced = result.quote;
        this.phase = 'price_changed';
        break;
    }
    return this.phase;
  }

  onEvent(event: CheckoutEvent): void {
    if (event.kind === 'state') this.state = event.state;
    else this.progress = event.progress;
  }

  /** A status update for some order; taken when it is ours. */
  applyUpdate(view: OrderView): void {
    if (this.order && view.checkout_id === this.order.checkout_id) this.order = view;
  }
}
