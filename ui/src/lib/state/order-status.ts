/**
 * What the confirmation screen says of an order's status.
 *
 * Mostly the POS's own status word. One exception: Jupiter has no kitchen status at all, and
 * the kiosk itself closes an order it was paid for when it hands the order over ("pay first,
 * then submit"), so Jupiter's "closed" there means "paid and sent to the kitchen", never "ready".
 * Only an order paid at the counter is closed by staff, which is the venue's "ready" event.
 */
import type { OrderView } from '../bindings/OrderView';

export function shownStatus(kind: string, order: OrderView | null, pos: string): string {
  if (kind === 'closed' && pos === 'jupiter' && order !== null && !order.pay_at_counter) return 'tracking';
  return kind;
}
