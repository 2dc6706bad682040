import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeStaffBackend } from './ipc.fake';
import StaffApp from './StaffApp.svelte';
import { StaffTablet } from './tablet.svelte';

let tablet: StaffTablet | null = null;
afterEach(() => {
  tablet?.dispose();
  tablet = null;
});

async function mountTablet(opts: Parameters<typeof createFakeStaffBackend>[0] = {}, lang = 'ru') {
  const fake = createFakeStaffBackend({ latency: 0, ...opts });
  tablet = new StaffTablet(fake, { lang });
  render(StaffApp, { tablet });
  await tablet.boot();
  return { fake, tablet };
}

const tap = (id: string) => fireEvent.click(screen.getByTestId(id));

describe('StaffApp', () => {
  it('logs in with the PIN pad, lists problems first and refunds one after confirming', async () => {
    await mountTablet();
    await waitFor(() => screen.getByTestId('staff-login'));
    expect(screen.getByTestId('staff-login').dataset.pos).toBe('procart');
    for (const d of '1112') await tap(`pin-key-${d}`);
    expect(screen.getByTestId('pin-dots').dataset.count).toBe('4');
    await tap('pin-submit');
    await waitFor(() => expect(screen.getByTestId('login-message').dataset.kind).toBe('wrong'));
    expect(screen.getByTestId('login-message').textContent).toContain('Осталось попыток: 4');
    expect(screen.getByTestId('pin-dots').dataset.count).toBe('0');

    await tap('staff-member-anna');
    for (const d of '1111') await tap(`pin-key-${d}`);
    await tap('pin-submit');
    await waitFor(() => screen.getByTestId('staff-desk'));
    expect(screen.getByTestId('staff-user').textContent).toBe('Анна (демо)');
    await waitFor(() => expect(screen.getByTestId('staff-problems').dataset.count).toBe('2'));
    const problems = within(screen.getByTestId('staff-problems')).getAllByRole('button');
    expect(problems[0].dataset.key).toBe('c-101');
    expect(problems[0].textContent).toContain('Нужен сотрудник');
    expect(problems[0].textContent).toContain('945,00\u00a0₽');

    await tap('staff-row-c-101');
    await waitFor(() => screen.getByTestId('staff-detail'));
    expect(screen.getByTestId('detail-problem').dataset.kind).toBe('needs_staff');
    expect(screen.getByTestId('detail-payment').textContent).toContain('**** 4242');
    await tap('action-refund');
    expect(screen.getByTestId('staff-confirm').textContent).toContain('945,00\u00a0₽ вернутся на карту **** 4242');
    await tap('staff-confirm-yes');
    await waitFor(() => expect(screen.getByTestId('staff-outcome').dataset.kind).toBe('refunded'));
    await waitFor(() => expect(screen.getByTestId('staff-problems').dataset.count).toBe('1'));
    expect(screen.getByTestId('staff-row-c-101').dataset.handled).toBe('true');
    await waitFor(() => screen.getByTestId('detail-handled'));
    const history = screen.getAllByTestId('history-entry').map((e) => e.dataset.what);
    expect(history.slice(0, 3)).toEqual(['refund.ok', 'mark_handled', 'refund']);
    expect(screen.queryByTestId('action-refund')).toBeNull();
  });

  it('marks an order handled with a quick reason, in English', async () => {
    const { tablet: t } = await mountTablet({}, 'en');
    await t.login({ kind: 'pin', pin: '2222' });
    await waitFor(() => screen.getByTestId('staff-row-c-102'));
    await tap('staff-row-c-102');
    await waitFor(() => screen.getByTestId('action-mark_handled'));
    await tap('action-mark_handled');
    expect((screen.getByTestId('handled-submit') as HTMLButtonElement).disabled).toBe(true);
    await tap('handled-quick-2');
    expect((screen.getByTestId('handled-reason') as HTMLTextAreaElement).value).toBe('Paid at the counter');
    await tap('handled-submit');
    await waitFor(() => expect(screen.getByTestId('staff-outcome').textContent).toContain('Marked settled'));
    await waitFor(() => expect(screen.getByTestId('detail-handled').textContent).toContain('Settled by Борис (демо): Paid at the counter'));
  });

  it('shows a ProCart order’s comment', async () => {
    const { tablet: t } = await mountTablet();
    await t.login({ kind: 'pin', pin: '1111' });
    await waitFor(() => screen.getByTestId('staff-row-c-103'));
    await tap('staff-row-c-103');
    await waitFor(() => screen.getByTestId('action-print_info'));
    await tap('action-print_info');
    await waitFor(() => expect(screen.getByTestId('print-info-text').textContent).toContain('Киоск: заказ 118'));
    await tap('print-info-close');
    expect(screen.queryByTestId('print-info-dialog')).toBeNull();
  });

  it('logs in to Jupiter by password, locks an order, adds a dish with its choices and a loyalty guest', async () => {
    await mountTablet({ pos: 'jupiter' });
    await waitFor(() => screen.getByTestId('login-password'));
    for (const d of '11112') await tap(`pin-key-${d}`);
    await tap('pin-submit');
    await waitFor(() => screen.getByTestId('staff-desk'));
    await waitFor(() => screen.getByTestId('staff-row-4:1:0:90005'));
    expect(screen.getByTestId('staff-row-4:1:0:90002').dataset.lockedBy).toBe('Пикаров Б.К.');
    await tap('staff-row-4:1:0:90005');
    await waitFor(() => screen.getByTestId('action-lock'));
    await tap('action-lock');
    await waitFor(() => expect(screen.getByTestId('detail-lock').dataset.mine).toBe('true'));

    await tap('action-add_dishes');
    await waitFor(() => screen.getByTestId('dish-d-classic'));
    await tap('dish-d-classic');
    expect(screen.getByTestId('dish-choices').dataset.dish).toBe('d-classic');
    expect((screen.getByTestId('dish-choices-done') as HTMLButtonElement).disabled).toBe(true);
    const sauce = screen.getAllByTestId(/^dish-mod-/).find((b) => !(b as HTMLButtonElement).disabled)!;
    await fireEvent.click(sauce);
    await tap('dish-choices-done');
    await tap('dishes-section-s-drinks');
    await tap('dish-d-mors');
    await tap('dish-d-mors');
    expect(screen.getByTestId('chosen-d-mors').dataset.qty).toBe('2');
    await tap('dishes-submit');
    await waitFor(() => expect(screen.getByTestId('staff-outcome').dataset.kind).toBe('updated'));
    const lines = screen.getAllByTestId('detail-line').map((l) => l.dataset.dish);
    expect(lines).toEqual(['d-caesar', 'd-fries', 'd-classic', 'd-mors']);

    await tap('action-add_client');
    for (const k of '1234') await tap(`client-key-${k}`);
    await tap('client-submit');
    await waitFor(() => screen.getByTestId('client-result'));
    expect(screen.getByTestId('client-discount').textContent).toContain('Скидка 10%');
    expect(screen.getByTestId('detail-client').textContent).toContain('Святослав');

    await tap('action-unlock');
    await waitFor(() => expect(screen.getByTestId('staff-outcome').dataset.kind).toBe('unlocked'));
    await waitFor(() => screen.getByTestId('action-lock'));
  });

  it('shows the printer alert above the list until the printer is fixed, and the slips in the history', async () => {
    const { fake, tablet: t } = await mountTablet({ printer: true, printerProblem: 'paper_out' });
    await t.login({ kind: 'pin', pin: '1111' });
    const alert = await waitFor(() => screen.getByTestId('staff-printer-alert'));
    expect(alert.dataset.problem).toBe('paper_out');
    expect(alert.dataset.tone).toBe('error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('В принтере закончилась бумага.');
    expect(alert.textContent).toMatch(/Принтер чеков · с \d{2}:\d{2}:\d{2} \(7 мин\)/);
    expect(alert.textContent).toContain('Вставьте новый рулон');

    // The guest's slip failed earlier; a reprint fails too while the paper is out.
    await tap('staff-row-c-102');
    await waitFor(() => screen.getByTestId('action-print_number'));
    const slip = screen.getAllByTestId('history-entry').find((e) => e.dataset.what === 'slip.failed')!;
    expect(slip.dataset.kind).toBe('printer');
    expect(slip.textContent).toContain('Чек не напечатан');
    expect(slip.classList.contains('failed')).toBe(true);
    await tap('action-print_number');
    await waitFor(() => expect(screen.getByTestId('staff-outcome').dataset.kind).toBe('error'));
    expect(screen.getByTestId('staff-outcome').textContent).toContain('Принтер не напечатал: the printer failed');
    await waitFor(() => expect(screen.getAllByTestId('history-entry')[0].dataset.what).toBe('print_number.failed'));
    expect(screen.getAllByTestId('history-entry')[1].dataset.what).toBe('reprint.failed');

    // Fixed: the alert goes at the next update, and the copy prints, in the history with who.
    fake.setPrinterProblem(null);
    await waitFor(() => expect(screen.queryByTestId('staff-printer-alert')).toBeNull());
    await tap('action-print_number');
    await waitFor(() => expect(screen.getByTestId('staff-outcome').dataset.kind).toBe('printed'));
    await waitFor(() => expect(screen.getAllByTestId('history-entry')[0].dataset.what).toBe('print_number.ok'));
    const copy = screen.getAllByTestId('history-entry')[1];
    expect(copy.dataset.what).toBe('reprint.printed');
    expect(copy.dataset.staff).toBe('Анна (демо)');
    expect(copy.textContent).toContain('Копия чека напечатана');
    expect(copy.classList.contains('failed')).toBe(false);

    // Paper near its end: a warning; printing still works.
    fake.setPrinterProblem('paper_near_end');
    await waitFor(() => expect(screen.getByTestId('staff-printer-alert').dataset.tone).toBe('warn'));
  });

  it('says why staff cannot log in', async () => {
    await mountTablet({ problem: 'no staff PINs are set' });
    await waitFor(() => screen.getByTestId('login-unavailable'));
    expect(screen.getByTestId('login-unavailable').textContent).toContain('no staff PINs are set');
  });
});
