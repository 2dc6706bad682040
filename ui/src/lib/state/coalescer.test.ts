import { describe, expect, it } from 'vitest';
import type { Cart } from '../bindings/Cart';
import type { IpcError } from '../bindings/IpcError';
import { deferred, flush, type Deferred } from '../../test/helpers';
import { PriceCoalescer } from './coalescer';

const cart = (n: number): Cart => ({ order_type: 'eat_in', lines: [{ dish: `d${n}`, qty: 1, modifiers: [] }] });

function setup() {
  let current = 0;
  const sent: Array<{ revision: number; d: Deferred<string> }> = [];
  const answers: Array<[number, string]> = [];
  const errors: Array<[number, IpcError]> = [];
  const busy: boolean[] = [];
  const c = new PriceCoalescer<string>({
    send: (revision) => {
      const d = deferred<string>();
      sent.push({ revision, d });
      return d.promise;
    },
    isCurrent: (r) => r === current,
    onAnswer: (r, a) => answers.push([r, a]),
    onError: (r, e) => errors.push([r, e]),
    onBusyChange: (b) => busy.push(b),
  });
  const change = () => {
    current += 1;
    c.request(current, cart(current));
  };
  /** The cart changed without a new request (it was emptied). */
  const forget = () => {
    current += 1;
    c.cancel();
  };
  return { c, sent, answers, errors, busy, change, forget };
}

describe('PriceCoalescer', () => {
  it('sends at once when idle and delivers the answer', async () => {
    const s = setup();
    s.change();
    expect(s.sent.map((x) => x.revision)).toEqual([1]);
    expect(s.c.busy).toBe(true);
    s.sent[0].d.resolve('a1');
    await flush();
    expect(s.answers).toEqual([[1, 'a1']]);
    expect(s.c.busy).toBe(false);
    expect(s.busy).toEqual([true, false]);
  });

  it('keeps one request in flight and coalesces changes into one follow-up for the newest cart', async () => {
    const s = setup();
    s.change();
    s.change();
    s.change();
    s.change();
    expect(s.sent).toHaveLength(1);
    expect(s.c.waiting).toBe(4);
    s.sent[0].d.resolve('stale');
    await flush();
    // The answer for revision 1 is never shown; only revision 4 is sent next.
    expect(s.answers).toEqual([]);
    expect(s.sent.map((x) => x.revision)).toEqual([1, 4]);
    s.sent[1].d.resolve('fresh');
    await flush();
    expect(s.answers).toEqual([[4, 'fresh']]);
  });

  it('drops an answer whose revision is no longer current', async () => {
    const s = setup();
    s.change();
    s.forget();
    s.sent[0].d.resolve('old');
    await flush();
    expect(s.answers).toEqual([]);
    expect(s.sent).toHaveLength(1);
    expect(s.c.busy).toBe(false);
  });

  it('reports errors for the current revision, but not superseded ones', async () => {
    const s = setup();
    s.change();
    s.sent[0].d.reject({ code: 'superseded', message: 'newer request' });
    await flush();
    expect(s.errors).toEqual([]);
    s.change();
    s.sent[1].d.reject({ code: 'pos_unreachable', message: 'down' });
    await flush();
    expect(s.errors).toEqual([[2, { code: 'pos_unreachable', message: 'down' }]]);
  });

  it('does not report an error for a cart that has since changed', async () => {
    const s = setup();
    s.change();
    s.change();
    s.sent[0].d.reject({ code: 'pos_timeout', message: 'slow' });
    await flush();
    expect(s.errors).toEqual([]);
    expect(s.sent).toHaveLength(2);
  });

  it('normalises odd rejections', async () => {
    const s = setup();
    s.change();
    s.sent[0].d.reject('Command price_cart not found');
    await flush();
    expect(s.errors[0][1]).toEqual({ code: 'internal', message: 'Command price_cart not found' });
  });
});
