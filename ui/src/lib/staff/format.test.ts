import { describe, expect, it } from 'vitest';
import type { StaffOrderRow } from '../bindings/StaffOrderRow';
import { en } from '../i18n/en';
import { ru } from '../i18n/ru';
import type { StaffHistoryEntry } from '../bindings/StaffHistoryEntry';
import {
  ageText, clockTime, describeOutcome, describeStaffError, historyFailed, historyTitle, printerBanner, rowKey, secondsSince,
  staffName, statusText,
} from './format';

const row = (patch: Partial<StaffOrderRow> = {}): StaffOrderRow => ({
  reference: { kind: 'checkout', checkout_id: 'c1' }, source: 'kiosk', checkout_id: 'c1', pos_order_id: null,
  number: '101', state: 'tracking', pos_status: { kind: 'open' }, total: '540.00', paid: null, pay_at_counter: false,
  opened_at: null, age_s: 60, problem: null, locked_by: null, handled: null, actions: [], ...patch,
});

describe('staff formatting', () => {
  it('keys rows by checkout, else by POS order', () => {
    expect(rowKey(row())).toBe('c1');
    expect(rowKey(row({ checkout_id: null, pos_order_id: '4:1:0:9' }))).toBe('4:1:0:9');
  });

  it('says ages in minutes and hours', () => {
    expect(ageText(ru, 20)).toBe('только что');
    expect(ageText(ru, 12 * 60 + 30)).toBe('12 мин');
    expect(ageText(en, 65 * 60)).toBe('1 h 5 min');
    expect(ageText(en, 120 * 60)).toBe('2 h');
    expect(ageText(ru, null)).toBe('время неизвестно');
  });

  it('gives the checkout state and the POS status together', () => {
    expect(statusText(ru, row())).toBe('Готовится · Открыт');
    expect(statusText(en, row({ state: null, pos_status: { kind: 'unknown', raw: 'weird' } }))).toBe('POS: weird');
    const settled = row({ state: 'needs_staff', pos_status: null, handled: { by: 'Анна К. (anna)', at: '2025-03-01T12:00:00Z', reason: 'x' } });
    expect(statusText(ru, settled)).toBe('Решено');
    expect(statusText(ru, { ...settled, handled: null })).toBe('Нужен сотрудник');
  });

  it('drops the id the journal adds to a name', () => {
    expect(staffName('Анна К. (anna)')).toBe('Анна К.');
    expect(staffName('Трофимова В.А. (jpos-3fa9c2)')).toBe('Трофимова В.А.');
    expect(staffName('kiosk')).toBe('kiosk');
  });

  it('formats times of the history in local time', () => {
    expect(clockTime('2025-03-01T12:34:56Z', 'ru')).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(clockTime('not a time', 'en')).toBe('not a time');
  });

  it('describes outcomes with the core’s amounts, formatted only', () => {
    expect(describeOutcome(ru, { kind: 'refunded', amount: '1289.5', reference: 'SIMR-1' })).toEqual({
      tone: 'ok', kind: 'refunded', text: 'Возвращено 1\u00a0289,50\u00a0₽. Номер возврата SIMR-1',
    });
    expect(describeOutcome(en, { kind: 'lock_refused', held_by: null, message: 'busy' }).tone).toBe('warn');
    expect(describeOutcome(en, { kind: 'lock_refused', held_by: 'Boris', message: 'x' }).text).toContain('Boris');
    expect(describeOutcome(en, { kind: 'no_printer', reason: 'no printer' })).toMatchObject({ tone: 'warn', kind: 'no_printer' });
    expect(
      describeOutcome(en, {
        kind: 'already_in_pos', note: 'close it',
        order: { pos_order_id: 'g', external_id: null, number: '7', status: { kind: 'open' }, total: '10.00', paid: '0.00' },
      }).text,
    ).toBe('The POS has the order already (Open, ₽10.00). Nothing was sent. close it');
  });

  it('titles errors by code and keeps the core’s words', () => {
    expect(describeStaffError(en, { code: 'pos_timeout', message: 'no answer in 10 s' }).text).toBe('The POS is not answering: no answer in 10 s');
    expect(describeStaffError(ru, { code: 'bad_input', message: 'lock the order first' })).toMatchObject({ tone: 'error', kind: 'error' });
  });

  it('says what is wrong with the printer, since when and what to do', () => {
    const since = '2025-03-01T12:00:00Z';
    const now = Date.parse(since) + 12 * 60_000 + 5_000;
    expect(secondsSince(since, now)).toBe(725);
    expect(secondsSince('not a time', now)).toBeNull();
    const out = printerBanner(ru, 'ru', { problem: 'paper_out', since, detail: 'paper out' }, now);
    expect(out).toMatchObject({ problem: 'paper_out', tone: 'error', title: 'В принтере закончилась бумага.' });
    expect(out.since).toMatch(/^Принтер чеков · с \d{2}:\d{2}:\d{2} \(12 мин\)$/);
    expect(out.fix).toContain('новый рулон');
    // Paper near its end still prints: a warning, not an error.
    const near = printerBanner(en, 'en', { problem: 'paper_near_end', since, detail: null }, now);
    expect(near).toMatchObject({ tone: 'warn', title: 'The printer is running out of paper.' });
    expect(near.since).toContain('(12 min)');
    expect(printerBanner(en, 'en', { problem: 'cover_open', since, detail: null }, Date.parse(since)).since).toContain('(just now)');
  });

  it('titles printer entries of the history apart from staff actions and checkout steps', () => {
    const h = (kind: StaffHistoryEntry['kind'], what: string): StaffHistoryEntry => ({ at: '2025-03-01T12:00:00Z', kind, staff: null, what, detail: null });
    expect(historyTitle(ru, h('printer', 'slip.printed'))).toBe('Чек напечатан');
    expect(historyTitle(ru, h('printer', 'reprint.failed'))).toBe('Копия чека не напечатана');
    expect(historyTitle(en, h('printer', 'number.printed'))).toBe('Number printed');
    expect(historyTitle(en, h('printer', 'status.skipped'))).toBe('No receipt: the guest agreed');
    expect(historyTitle(en, h('printer', 'slip.jammed'))).toBe('Printer: slip.jammed');
    expect(historyTitle(ru, h('staff', 'print_number.ok'))).toBe('Печать номера: готово');
    expect(historyTitle(ru, h('state', 'posted'))).toBe('Принят кассой');
    expect(historyFailed(h('printer', 'slip.failed'))).toBe(true);
    expect(historyFailed(h('printer', 'status.problem'))).toBe(true);
    expect(historyFailed(h('printer', 'slip.printed'))).toBe(false);
    expect(historyFailed(h('staff', 'refund.failed'))).toBe(true);
    expect(historyFailed(h('staff', 'refund.ok'))).toBe(false);
  });
});
