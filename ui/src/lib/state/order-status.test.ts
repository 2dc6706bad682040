import { describe, expect, it } from 'vitest';
import type { OrderView } from '../bindings/OrderView';
import { shownStatus } from './order-status';

const order = (payAtCounter: boolean): OrderView => ({
  checkout_id: 'c1',
  number: '42',
  state: 'tracking',
  pos_order_id: 'o1',
  pos_status: { kind: 'closed' },
  total: '350.00',
  order_type: 'eat_in',
  pay_at_counter: payAtCounter,
  notice: null,
  slip: 'none',
});

describe('shownStatus', () => {
  it('reads a Jupiter order the kiosk closed itself as being prepared, not ready', () => {
    expect(shownStatus('closed', order(false), 'jupiter')).toBe('tracking');
  });
  it('reads a Jupiter order closed by staff after counter payment as ready', () => {
    expect(shownStatus('closed', order(true), 'jupiter')).toBe('closed');
  });
  it('keeps the POS word on r_keeper, where closed is the kitchen finishing it', () => {
    expect(shownStatus('closed', order(false), 'procart')).toBe('closed');
    expect(shownStatus('open', order(false), 'jupiter')).toBe('open');
  });
});
