/**
 * Russian texts. A language is a file: `en.ts` has the same keys, and the `Messages` type
 * derived from this file makes a missing or extra key a type error there.
 */
import type { Badge } from '../bindings/Badge';
import type { CheckoutState } from '../bindings/CheckoutState';
import type { ErrorCode } from '../bindings/ErrorCode';
import type { Money } from '../bindings/Money';
import type { OrderType } from '../bindings/OrderType';
import type { UnavailableReason } from '../bindings/UnavailableReason';
import { formatDelta, formatMoney } from '../money';

/** 1 позиция, 2 позиции, 5 позиций. */
function plural(n: number, one: string, few: string, many: string): string {
  const d10 = n % 10;
  const d100 = n % 100;
  if (d10 === 1 && d100 !== 11) return one;
  if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14)) return few;
  return many;
}

export const ru = {
  langName: 'Русский',
  htmlLang: 'ru',
  money: (m: Money): string => formatMoney(m, 'ru'),
  delta: (m: Money): string => formatDelta(m, 'ru'),
  from: (price: string): string => `от ${price}`,

  // Shared
  appName: 'Kiosk',
  close: 'Закрыть',
  back: 'Назад',
  retry: 'Повторить',
  loading: 'Загрузка…',
  decrease: 'Уменьшить',
  increase: 'Увеличить',
  a11yToggle: 'Режим доступности',
  a11yOn: 'Режим доступности включён',
  startOver: 'Начать заново',
  cancelOrderTitle: 'Отменить заказ?',
  cancelOrderText: 'Всё, что вы выбрали, будет удалено.',
  cancelOrderYes: 'Да, отменить',
  cancelOrderNo: 'Нет, продолжить',
  demoMode: 'Демо-режим',

  // Attract, language, order type
  attractTitle: 'Закажите здесь',
  attractSubtitle: 'Без очереди — оплата картой или телефоном',
  attractTap: 'Коснитесь экрана, чтобы заказать',
  chooseLanguage: 'Выберите язык',
  orderTypeTitle: 'Где будете есть?',
  orderType: (t: OrderType): string => (t === 'eat_in' ? 'В зале' : 'С собой'),
  orderTypeHint: (t: OrderType): string => (t === 'eat_in' ? 'Подадим на подносе' : 'Упакуем в пакет'),

  // Menu
  sections: 'Разделы меню',
  search: 'Поиск по меню',
  searchPlaceholder: 'Найти блюдо',
  clearSearch: 'Очистить поиск',
  searchResults: (n: number, q: string): string => `«${q}»: ${n} ${plural(n, 'блюдо', 'блюда', 'блюд')}`,
  searchNothing: 'Ничего не нашлось. Попробуйте другое слово.',
  badge: (b: Badge): string => ({ new: 'Новинка', spicy: 'Острое', vegetarian: 'Вегетарианское', hit: 'Хит' })[b],
  unavailable: (r: UnavailableReason): string => (r === 'sold_out' ? 'Закончилось' : 'Временно нет'),
  remains: (n: number): string => `Осталось ${n} шт.`,
  combo: 'Комбо',
  menuLoading: 'Загружаем меню…',
  yourOrder: 'Ваш заказ',
  items: (n: number): string => `${n} ${plural(n, 'позиция', 'позиции', 'позиций')}`,
  cartEmptyShort: 'Пока пусто',
  openCart: 'Открыть корзину',
  toCart: 'Корзина',

  // Dish sheet
  portion: (value: string, unit: string): string => `${value.replace('.', ',')} ${unit}`,
  ruleChooseExactly: (n: number): string => `Выберите ${n}`,
  ruleUpTo: (n: number): string => `До ${n} на выбор`,
  ruleRange: (min: number, max: number): string => `Выберите от ${min} до ${max}`,
  ruleAtLeast: (n: number): string => `Не меньше ${n}`,
  ruleAny: 'Сколько угодно',
  required: 'Обязательно',
  optional: 'По желанию',
  included: 'Входит в состав',
  includedTag: 'включено',
  modifierUnavailable: 'нет в наличии',
  selected: 'выбрано',
  quantity: 'Количество',
  addToCart: 'Добавить',
  saveChanges: 'Сохранить',
  sheetMissing: (groups: string): string => `Пожалуйста, выберите: ${groups}`,
  sheetTooMany: (group: string, max: number): string => `«${group}»: не больше ${max}`,
  dishUnavailableNow: 'Это блюдо сейчас недоступно',

  // Combo builder
  comboStep: (i: number, n: number): string => `Шаг ${i} из ${n}`,
  comboChoose: (slot: string): string => `Выберите: ${slot.toLowerCase()}`,
  comboSummary: 'Ваше комбо',
  comboNext: 'Далее',
  comboAdd: 'Добавить комбо',
  comboChange: 'Изменить',
  comboNoExtra: 'Без доплаты',
  comboPickMissing: 'Сделайте выбор, чтобы продолжить',
  comboPartTitle: (dish: string): string => `«${dish}»: ваш выбор`,
  comboPartMissing: (dish: string, groups: string): string => `Для «${dish}» нужно выбрать: ${groups}`,

  // Cart
  cartTitle: 'Ваш заказ',
  cartEmptyTitle: 'В корзине пока ничего нет',
  cartEmptyHint: 'Загляните в меню — там много вкусного.',
  toMenu: 'В меню',
  addMore: 'Добавить ещё',
  edit: 'Изменить',
  remove: 'Удалить',
  lineLabel: (name: string, qty: number): string => `${name}, ${qty} шт.`,
  subtotal: 'Сумма',
  total: 'Итого',
  estimateNote: 'Уточняем цену на кассе…',
  estimateStale: 'Пересчитываем…',
  posConfirmed: 'Цена подтверждена кассой',
  pay: (total: string): string => `Оплатить ${total}`,
  payWaiting: 'Уточняем цену…',
  priceChangedTitle: 'Касса изменила цену',
  priceChanged: (name: string, menuPrice: string, posPrice: string): string =>
    `«${name}»: ${posPrice} вместо ${menuPrice} в меню. Итог уже пересчитан — проверьте его перед оплатой.`,
  posErrorTitle: (code: ErrorCode): string =>
    ({
      dish_unavailable: 'Одно из блюд закончилось',
      price_changed: 'Цены изменились',
      order_refused: 'Касса не принимает этот заказ',
      cart_invalid: 'Заказ нужно поправить',
    } as Partial<Record<ErrorCode, string>>)[code] ?? 'Не удаётся связаться с кассой',
  posErrorAction: (code: ErrorCode): string =>
    ({
      dish_unavailable: 'Удалите это блюдо из заказа или замените его, чтобы продолжить.',
      price_changed: 'Проверьте новый итог и продолжайте.',
      order_refused: 'Измените заказ или обратитесь к сотруднику.',
      cart_invalid: 'Исправьте отмеченные позиции.',
    } as Partial<Record<ErrorCode, string>>)[code] ?? 'Попробуйте ещё раз через несколько секунд или обратитесь к сотруднику.',
  menuChangedTitle: 'Меню обновилось',
  menuPriceChanged: (name: string, before: string, now: string): string =>
    `«${name}» теперь стоит ${now} (было ${before}). Итог уже пересчитан — проверьте его перед оплатой.`,
  linePriceChanged: (before: string, now: string): string => `Новая цена: ${now} (было ${before})`,
  problemUnavailable: (name: string): string => `«${name}» сейчас нет. Удалите позицию, чтобы продолжить.`,
  problemChoices: (group: string): string => `Нужно выбрать: ${group.toLowerCase()}. Нажмите «Изменить».`,
  problemGeneric: 'Эту позицию нужно изменить или удалить.',

  // Upsell
  upsellTitleDrink: 'Добавить напиток?',
  upsellTitleDessert: 'Может, что-нибудь сладкое?',
  upsellTitleSide: 'Добавить закуску?',
  upsellTitle: 'Вам может понравиться',
  upsellHint: 'Одно касание — и готово. Или продолжайте без добавок.',
  upsellAdd: 'Добавить',
  upsellSkip: 'Нет, спасибо',

  // Payment
  paymentTitle: 'Оплата',
  toPay: 'К оплате',
  paymentPreparing: 'Готовим оплату…',
  paymentFollowTerminal: 'Следуйте указаниям на терминале',
  paymentScanQr: 'Отсканируйте QR-код камерой телефона или в приложении банка',
  qrExpires: (s: string): string => `Код действует ещё ${s}`,
  /** A terminal prompt: known keys in words, a real terminal's own text as it is. */
  terminalPrompt: (text: string): string =>
    ({ card_prompt: 'Приложите карту или телефон к терминалу' } as Record<string, string>)[text] ?? text,
  paymentProcessing: 'Проверяем оплату…',
  paymentPaid: 'Оплата прошла',
  paymentSending: 'Передаём заказ на кухню…',
  paymentDontLeave: 'Пожалуйста, не отходите от терминала',
  stepPay: 'Оплата',
  stepSend: 'Передача заказа',
  stepDone: 'Готово',
  declinedTitle: 'Оплата не прошла',
  cancelledTitle: 'Оплата отменена',
  declinedNoMoney: 'Деньги не списаны. Можно попробовать другую карту или способ оплаты.',
  backToCart: 'Вернуться к заказу',
  checkoutFailedTitle: 'Не удалось оформить заказ',
  checkoutFailedHint: 'Если деньги списались, сотрудник всё исправит — покажите ему этот экран.',
  priceChangedAtPay: 'Пока вы оформляли заказ, цена изменилась. Проверьте новый итог.',

  // Confirmation
  thanks: 'Спасибо! Заказ принят',
  troubleTitle: 'Нам очень жаль',
  orderNumber: 'Номер заказа',
  payAtCounterTitle: 'Оплатите заказ на кассе',
  payAtCounterHint: 'Назовите кассиру номер заказа. Мы начнём готовить после оплаты.',
  collectHint: (t: OrderType): string =>
    t === 'eat_in' ? 'Следите за номером на экране — мы позовём вас, когда всё будет готово.' : 'Заберите заказ на выдаче, когда номер появится на экране.',
  orderStatus: 'Статус',
  posStatus: (kind: string, raw?: string): string =>
    ({
      deferred: 'Ожидает оплаты на кассе',
      open: 'Готовим ваш заказ',
      bill: 'Заказ почти готов',
      closed: 'Заказ готов',
      deleted: 'Заказ отменён — обратитесь к сотруднику',
    } as Record<string, string>)[kind] ?? `Статус кассы: ${raw ?? kind}`,
  checkoutState: (s: CheckoutState): string =>
    ({
      priced: 'Готовим оплату',
      payment_started: 'Идёт оплата',
      paid: 'Оплачено',
      posting: 'Передаём заказ на кухню',
      posted: 'Заказ передан на кухню',
      tracking: 'Готовим ваш заказ',
      completed: 'Заказ готов',
      payment_failed: 'Оплата не прошла',
      refunding: 'Возвращаем деньги',
      refunded: 'Деньги возвращены',
      needs_staff: 'Нужна помощь сотрудника',
    } satisfies Record<CheckoutState, string>)[s],
  noticePaidSending: 'Оплата прошла. Передаём заказ на кухню — это займёт несколько секунд.',
  noticeRefunding: (reason: string): string => `Кухня не смогла принять заказ (${reason}). Мы возвращаем деньги на вашу карту.`,
  noticeRefunded: (reason: string): string => `Деньги возвращены на вашу карту (${reason}). Обычно они поступают в течение нескольких минут.`,
  noticeAskStaff: (reason: string): string => `Пожалуйста, обратитесь к сотруднику и покажите этот экран. ${reason}`,
  paid: 'Оплачено',
  newOrder: 'Новый заказ',
  returningIn: (s: number): string => `Вернёмся на главный экран через ${s} с`,

  // Idle
  idleTitle: 'Вы ещё здесь?',
  idleText: (s: number): string => `Заказ будет отменён через ${s} с`,
  idleContinue: 'Да, я здесь',

  // Errors, service
  errorMenu: 'Меню сейчас недоступно',
  errorGeneric: 'Что-то пошло не так',
  errorTryAgain: 'Попробуйте ещё раз или обратитесь к сотруднику.',
  outOfServiceTitle: 'Терминал временно не работает',
  outOfServiceHint: 'Пожалуйста, сделайте заказ на кассе. Приносим извинения.',
  // Payments by provider (card terminal prompts, SBP QR): keys go right below this line.
  // @payments

  // Printer and slip: keys go right below this line.
  // @printer

  // Order board display: keys go right below this line.
  // @board

  // Staff tablet: keys go right below this line.
  // @staff

  // Set-up wizard and service menu: keys go right below this line.
  // @service
};

export type Messages = typeof ru;
