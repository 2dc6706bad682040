/**
 * Russian texts. A language is a file: `en.ts` has the same keys, and the `Messages` type
 * derived from this file makes a missing or extra key a type error there.
 */
import type { Badge } from '../bindings/Badge';
import type { CheckoutState } from '../bindings/CheckoutState';
import type { ErrorCode } from '../bindings/ErrorCode';
import type { Money } from '../bindings/Money';
import type { OrderType } from '../bindings/OrderType';
import type { PrinterProblem } from '../bindings/PrinterProblem';
import type { SlipStatus } from '../bindings/SlipStatus';
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
      submitting: 'Передаём заказ в кассу',
      submitted: 'Касса приняла заказ, готовим оплату',
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
  payments: {
    /** A prompt of the card terminal the core recognised; `null` for any other text. */
    prompt: (key: string): string | null =>
      ({
        card_prompt: 'Приложите карту или телефон к терминалу',
        pin_prompt: 'Введите ПИН-код на терминале',
        bank_connect: 'Связываемся с банком…',
        pinpad_wait: 'Терминал готовится, подождите…',
        approved: 'Оплата одобрена',
      } as Record<string, string>)[key] ?? null,
    cancel: 'Отменить оплату',
    cancelling: 'Отменяем оплату…',
    expiring: 'Время на оплату вышло. Закрываем QR-код…',
    expiredTitle: 'Время на оплату вышло',
    cancelledByYouTitle: 'Вы отменили оплату',
    noMoneyQr: 'Деньги не списаны. Если вы всё-таки успели оплатить, деньги вернутся на ваш счёт автоматически.',
    tryAgainHint: 'Можно вернуться к заказу и оплатить ещё раз.',
  },

  // Printer and slip: keys go right below this line.
  // @printer
  printer: {
    title: 'Не получится напечатать чек',
    outOfServiceTitle: 'Терминал временно не принимает заказы',
    problem: (p: PrinterProblem): string =>
      ({
        paper_out: 'В принтере закончилась бумага.',
        paper_near_end: 'В принтере заканчивается бумага.',
        cover_open: 'Открыта крышка принтера.',
        offline: 'Принтер не готов к печати.',
        not_responding: 'Принтер не отвечает.',
        unreachable: 'Принтер недоступен.',
        hardware_error: 'Принтер сообщает об ошибке.',
        fault: 'Принтер неисправен.',
      } satisfies Record<PrinterProblem, string>)[p],
    continueHint: 'Вы можете оплатить заказ без бумажного чека: номер заказа будет на экране — запомните или сфотографируйте его.',
    outOfServiceHint: 'Без чека мы не можем принять оплату. Пожалуйста, сделайте заказ на кассе. Сотрудник уже получил сообщение.',
    noMoney: 'Деньги не списаны.',
    continueWithoutSlip: 'Оплатить без чека',
    cancel: 'Вернуться к заказу',
    startOver: 'Понятно',
    slip: (s: SlipStatus): string | null =>
      ({
        none: null,
        skipped: 'Без бумажного чека — запомните номер заказа.',
        pending: 'Печатаем чек…',
        printing: 'Печатаем чек…',
        printed: 'Возьмите чек с номером заказа.',
        failed: 'Чек не напечатался — запомните номер заказа.',
      } satisfies Record<SlipStatus, string | null>)[s],
  },

  // Order board display: keys go right below this line.
  // @board
  board: {
    appTitle: 'Табло заказов',
    preparing: 'Готовится',
    ready: 'Готово',
    readyHint: 'Заберите заказ на выдаче',
    preparingHint: 'Ваш номер — на чеке и на экране киоска',
    emptyPreparing: 'Сейчас ничего не готовится',
    emptyReady: 'Здесь появится ваш номер',
    justReady: 'Только что готов',
    ordersCount: (n: number): string => `Заказов: ${n}`,
    posOffline: 'Нет связи с кассой — показываем последнее известное',
    unavailable: 'Табло временно не работает',
  },

  // Staff tablet: keys go right below this line.
  // @staff
  staff: {
    appTitle: 'Планшет сотрудника',
    // Login
    loginTitle: 'Вход для сотрудников',
    loginPinHint: 'Введите свой ПИН-код',
    chooseName: 'Кто вы? (можно не выбирать)',
    pinDigits: 'Цифры ПИН-кода',
    pinShown: (n: number): string => (n === 0 ? 'ПИН-код не введён' : `Введено цифр: ${n}`),
    pinErase: 'Стереть цифру',
    pinClear: 'Стереть всё',
    loginButton: 'Войти',
    loggingIn: 'Проверяем…',
    methodPassword: 'Пароль',
    methodCard: 'Карта',
    passwordLabel: 'Пароль в Jupiter',
    passwordHint: 'Тот же пароль, что на кассе',
    showPassword: 'Показать пароль',
    hidePassword: 'Скрыть пароль',
    cardHint: 'Проведите карту сотрудника через считыватель',
    cardLabel: 'Код карты (если считыватель не сработал)',
    wrong: (left: number): string =>
      left > 0 ? `Неверно. Осталось попыток: ${left}` : 'Неверно',
    lockedOut: (s: number): string => `Слишком много неверных попыток. Повторите через ${s} с`,
    loginUnavailable: 'Вход сотрудников сейчас недоступен',
    loggedOutIdle: 'Вы вышли автоматически: планшетом долго не пользовались',
    loggedOutEnded: 'Сеанс завершён. Войдите снова',
    // Top bar
    pos: (kind: string): string => (kind === 'jupiter' ? 'Jupiter' : 'r_keeper'),
    logout: 'Выйти',
    refresh: 'Обновить список',
    updatedAt: (time: string): string => `Обновлено в ${time}`,
    idleWarning: (s: number): string => `Выход через ${s} с. Коснитесь экрана, чтобы остаться`,
    stay: 'Я здесь',
    warning: (text: string): string => `Внимание: ${text}`,
    // Order list
    problems: 'Требуют внимания',
    orders: 'Заказы',
    noProblems: 'Проблемных заказов нет',
    noOrders: 'Других заказов нет',
    posError: (message: string): string => `Заказы кассы сейчас не получить: ${message}`,
    source: (s: 'kiosk' | 'pos'): string => (s === 'kiosk' ? 'Киоск' : 'Касса'),
    ageNow: 'только что',
    ageMin: (m: number): string => `${m} мин`,
    ageHours: (h: number, m: number): string => (m > 0 ? `${h} ч ${m} мин` : `${h} ч`),
    ageUnknown: 'время неизвестно',
    payAtCounter: 'Оплата на кассе',
    lockedBy: (name: string): string => `Меняет ${name}`,
    handledBy: (name: string): string => `Решено: ${name}`,
    problem: (p: import('../bindings/StaffProblem').StaffProblem): string => {
      switch (p.kind) {
        case 'needs_staff':
          return 'Нужен сотрудник';
        case 'total_mismatch':
          return 'Сумма в кассе не совпала';
        case 'refunding':
          return 'Идёт возврат денег';
        case 'stuck_sending':
          return `Не доходит до кассы (попыток: ${p.attempts})`;
        case 'unpaid_at_counter':
          return 'Не оплачен на кассе';
      }
    },
    state: (s: CheckoutState): string =>
      ({
        priced: 'Оформляется',
        submitting: 'Отправляется в кассу до оплаты',
        submitted: 'В кассе, не оплачен',
        payment_started: 'Идёт оплата',
        paid: 'Оплачен',
        posting: 'Отправляется в кассу',
        posted: 'В кассе',
        tracking: 'Готовится',
        completed: 'Завершён',
        payment_failed: 'Оплата не прошла',
        refunding: 'Возврат денег',
        refunded: 'Деньги возвращены',
        needs_staff: 'Нужен сотрудник',
      } satisfies Record<CheckoutState, string>)[s],
    posStatus: (kind: string, raw?: string): string =>
      ({ deferred: 'Ждёт оплаты', open: 'Открыт', bill: 'Счёт напечатан', closed: 'Закрыт', deleted: 'Удалён' } as Record<string, string>)[
        kind
      ] ?? `Касса: ${raw ?? kind}`,
    selectOrder: 'Выберите заказ в списке',
    // The receipt printer's alert above the list
    printerAlert: 'Принтер чеков',
    printerSince: (time: string, age: string): string => `с ${time} (${age})`,
    printerFix: (p: PrinterProblem): string =>
      ({
        paper_out: 'Вставьте новый рулон бумаги. Пока гости остаются без чека.',
        paper_near_end: 'Приготовьте новый рулон: бумага скоро закончится.',
        cover_open: 'Закройте крышку принтера до щелчка.',
        offline: 'Проверьте принтер: горит ли индикатор ошибки, заправлена ли бумага.',
        not_responding: 'Проверьте, что принтер включён и кабель на месте.',
        unreachable: 'Проверьте питание принтера и его подключение (сеть или кабель).',
        hardware_error: 'Выключите и включите принтер. Если ошибка не уходит, вызовите техника.',
        fault: 'Выключите и включите принтер. Если не помогло, вызовите техника.',
      } satisfies Record<PrinterProblem, string>)[p],
    // Order detail
    orderTitle: (n: string): string => `Заказ ${n}`,
    total: 'Итого',
    subtotal: 'Без скидок',
    paid: 'Оплачено в кассе',
    openedNow: 'Открыт только что',
    openedAgo: (age: string): string => `Открыт ${age} назад`,
    settled: 'Решено',
    lines: 'Состав заказа',
    noLines: 'Состав заказа неизвестен',
    noLinesUntilLocked: 'Jupiter покажет состав, когда заказ возьмут в работу',
    payment: 'Оплата на киоске',
    transaction: (id: string): string => `Транзакция ${id}`,
    card: (mask: string): string => `Карта ${mask}`,
    client: 'Гость программы лояльности',
    bonus: (m: string): string => `Бонусов: ${m}`,
    lockMine: 'Заказ взят вами: его можно менять. Освободите, когда закончите',
    lockOther: (name: string, min: number): string => `Заказ меняет ${name} (${min} мин). Дождитесь, пока он закончит`,
    handled: (by: string, reason: string): string => `Решено — ${by}: ${reason}`,
    history: 'История',
    noHistory: 'Пока ничего не происходило',
    historyWhat: (what: string): string => {
      const [name, result] = what.split('.');
      const actions: Record<string, string> = {
        retry_send: 'Повторная отправка',
        mark_handled: 'Отмечено решённым',
        refund: 'Возврат денег',
        print_number: 'Печать номера',
        lock: 'Взят в работу',
        unlock: 'Освобождён',
        add_dishes: 'Добавлены блюда',
        print_bill: 'Печать счёта',
        add_client: 'Добавлен гость',
        close: 'Закрытие заказа',
        print_info: 'Прочитан комментарий',
        priced: 'Цена подтверждена',
        submitting: 'Отправка в кассу до оплаты',
        submitted: 'Открыт в кассе, не оплачен',
        payment_started: 'Начата оплата',
        paid: 'Оплачен',
        posting: 'Отправка в кассу',
        posted: 'Принят кассой',
        tracking: 'Готовится',
        completed: 'Завершён',
        payment_failed: 'Оплата не прошла',
        refunding: 'Возврат денег',
        refunded: 'Деньги возвращены',
        needs_staff: 'Передан сотруднику',
      };
      const base = actions[name] ?? name;
      if (result === 'ok') return `${base}: готово`;
      if (result === 'failed') return `${base}: не удалось`;
      return base;
    },
    /** A `printer` entry of the history: `slip.printed`, `reprint.failed`, `status.skipped`… */
    printerWhat: (what: string): string =>
      ({
        'slip.started': 'Печать чека',
        'slip.printed': 'Чек напечатан',
        'slip.failed': 'Чек не напечатан',
        'reprint.started': 'Печать копии чека',
        'reprint.printed': 'Копия чека напечатана',
        'reprint.failed': 'Копия чека не напечатана',
        'number.started': 'Печать номера',
        'number.printed': 'Номер напечатан',
        'number.failed': 'Номер не напечатан',
        'status.skipped': 'Без чека: гость согласился',
        'status.problem': 'Проблема с принтером',
        'status.recovered': 'Принтер снова в порядке',
        'status.refused': 'Оплата не принята: принтер не печатает',
      } as Record<string, string>)[what] ?? `Принтер: ${what}`,
    kiosk: 'Киоск',
    action: (a: import('../bindings/StaffAction').StaffAction): string =>
      ({
        retry_send: 'Отправить снова',
        mark_handled: 'Отметить решённым',
        refund: 'Вернуть деньги',
        print_number: 'Напечатать номер',
        lock: 'Взять в работу',
        unlock: 'Освободить',
        add_dishes: 'Добавить блюда',
        print_bill: 'Напечатать счёт',
        add_client: 'Добавить гостя',
        close: 'Закрыть заказ',
        print_info: 'Комментарий заказа',
      } satisfies Record<import('../bindings/StaffAction').StaffAction, string>)[a],
    noPrinter: 'принтер не настроен',
    // Dialogs
    cancel: 'Отмена',
    retryTitle: 'Отправить заказ снова?',
    retryText: 'Сначала киоск найдёт заказ в кассе: если он там есть, второй не появится.',
    refundTitle: 'Вернуть деньги гостю?',
    refundText: (amount: string, card: string | null): string =>
      card ? `${amount} вернутся на карту ${card}.` : `${amount} вернутся тем же способом, которым гость платил.`,
    refundYes: 'Вернуть',
    closeTitle: 'Закрыть заказ в r_keeper?',
    closeText: (total: string, paid: string | null): string =>
      paid === null
        ? `Сумма заказа ${total}. Недостающая оплата будет записана как оплата на кассе.`
        : `Сумма заказа ${total}, оплачено ${paid}. Недостающая оплата будет записана как оплата на кассе.`,
    closeYes: 'Закрыть',
    handledTitle: 'Как решили вопрос?',
    handledLabel: 'Что сделали',
    handledHint: 'Запишется в историю заказа с вашим именем',
    handledQuick: ['Гость получил заказ', 'Деньги вернули на кассе', 'Гость оплатил на кассе', 'Гость ушёл'],
    handledYes: 'Отметить решённым',
    handledTooLong: 'Не больше 300 символов',
    clientTitle: 'Гость программы лояльности',
    clientLabel: 'Код гостя или номер карты',
    clientHint: 'Попросите гостя показать код в приложении или карту',
    clientYes: 'Добавить гостя',
    clientDiscounts: 'Скидки по карте гостя',
    clientNoDiscounts: 'Касса не дала скидок по этой карте',
    clientTotal: (before: string, after: string): string => `Сумма: ${before} → ${after}`,
    addTitle: 'Добавить блюда',
    addSearch: 'Найти блюдо',
    addChosen: 'Будет добавлено',
    addNothing: 'Выберите блюда слева',
    addYes: (n: number): string => `Добавить (${n})`,
    addChoose: (group: string): string => `Выберите: ${group}`,
    addDone: 'Готово',
    addUnavailable: 'нет в наличии',
    addPriceNote: 'Итог посчитает касса',
    printInfoTitle: 'Комментарий заказа',
    printInfoEmpty: 'Комментарий пуст',
    // Outcomes
    outcomeSent: (number: string): string => `Заказ отправлен в кассу, номер ${number}`,
    outcomeAlreadyInPos: (status: string, total: string, note: string): string =>
      `Заказ уже есть в кассе (${status}, ${total}). Ничего не отправлено. ${note}`,
    outcomeStillSending: (n: number): string => `Киоск ещё отправляет заказ сам (попыток: ${n}). Повторите позже`,
    outcomeHandled: 'Отмечено решённым',
    outcomeRefunded: (amount: string, reference: string): string => `Возвращено ${amount}. Номер возврата ${reference}`,
    outcomeRefundPending: 'Возврат принят, банк ещё не подтвердил',
    outcomePrinted: 'Напечатано: заберите чек с номером из принтера',
    outcomeNoPrinter: (reason: string): string => `Не напечатано: ${reason}`,
    outcomeLocked: 'Заказ ваш: теперь его можно менять',
    outcomeLockRefusedBy: (name: string): string => `Заказ уже меняет ${name}. Дождитесь, пока он закончит`,
    outcomeLockRefused: (message: string): string => `Касса не отдала заказ: его меняют на другом устройстве (${message})`,
    outcomeNotInPos: 'В кассе нет такого заказа',
    outcomeUnlocked: 'Заказ освобождён',
    outcomeUpdated: (total: string): string => `Заказ обновлён. Итого ${total}`,
    outcomeClientAdded: (name: string, before: string, after: string): string => `Гость ${name} добавлен. Сумма: ${before} → ${after}`,
    outcomeClosed: (status: string): string => `Заказ закрыт в кассе (${status})`,
    outcomePrintInfo: 'Комментарий получен',
    // Errors
    error: (code: ErrorCode): string =>
      ({
        not_authorized: 'Сеанс завершён: войдите снова',
        bad_input: 'Сейчас это сделать нельзя',
        not_found: 'Заказ не найден',
        payment_failed: 'Возврат не прошёл',
        journal_unavailable: 'Журнал заказов недоступен',
        total_mismatch: 'Сумма в кассе не совпала',
        printer_unavailable: 'Принтер не напечатал',
      } as Partial<Record<ErrorCode, string>>)[code] ??
      (code.startsWith('pos_') ? 'Касса не отвечает' : 'Что-то пошло не так'),
    dismiss: 'Скрыть сообщение',
  },

  // Set-up wizard and service menu: keys go right below this line.
  // @service
  service: {
    installerLanguage: 'Язык установщика',
    wizardTitle: 'Установка киоска',
    wizardEditTitle: 'Настройки киоска',
    stepOf: (i: number, n: number): string => `Шаг ${i} из ${n}`,
    steps: {
      device: 'Устройство',
      pos: 'Касса',
      orders: 'Заказы',
      payment: 'Оплата',
      screen: 'Экран',
      pin: 'PIN',
      finish: 'Запуск',
    } as Record<string, string>,
    next: 'Далее',
    back: 'Назад',
    close: 'Закрыть',
    cancel: 'Отмена',
    change: 'Изменить',
    problems: {
      whole_number: 'Введите целое число секунд',
      pin_shape: 'PIN — от 4 до 12 цифр',
      pin_mismatch: 'PIN-коды не совпадают',
      secret_required: 'Обязательно: без этого касса не ответит',
    } as Record<string, string>,
    settingsProblem: 'Текущий файл настроек нельзя использовать',
    errorTitle: 'Не получилось',
    keyringTitle: 'Хранилище ключей ОС',

    deviceTitle: 'Что это за устройство?',
    modes: {
      customer: 'Киоск для гостей',
      staff: 'Планшет персонала',
      board: 'Табло заказов',
    } as Record<string, string>,
    modeHints: {
      customer: 'Гости сами заказывают и оплачивают',
      staff: 'Проблемные и открытые заказы, счета',
      board: 'Номера заказов: готовятся и готовы',
    } as Record<string, string>,
    kioskId: 'Номер устройства',
    kioskIdHint: 'Часть номера каждого заказа: латиница, цифры, «-» и «_», до 20 знаков',
    restaurantName: 'Название ресторана',
    restaurantNameHint: 'Показывается в шапке экрана; можно оставить пустым',

    posTitle: 'Касса ресторана',
    posKinds: {
      procart: 'r_keeper (ProCart)',
      jupiter: 'Jupiter (JPOS)',
    } as Record<string, string>,
    posKindHints: {
      procart: 'REST-шлюз ProCart',
      jupiter: 'JSON-протокол JPOS',
    } as Record<string, string>,
    posUrl: 'Адрес кассы',
    posUrlHint: (kind: string): string =>
      kind === 'jupiter' ? 'Адрес JPOS, например http://10.0.0.5/jpos/index.php' : 'Адрес шлюза ProCart, например http://10.0.0.5:11111',
    secrets: {
      pos_token: 'Токен доступа ProCart',
      pos_user_password: 'Пароль пользователя киоска в Jupiter',
      tbank_terminal_key: 'Ключ терминала (TerminalKey)',
      tbank_password: 'Пароль терминала',
      yookassa_shop_id: 'ID магазина (shopId)',
      yookassa_secret_key: 'Секретный ключ',
    } as Record<string, string>,
    jupiterServerId: 'ID сервера Jupiter',
    secretStored: 'Сохранён в хранилище ключей ОС. Введите новый, чтобы заменить.',
    secretHint: 'Хранится только в хранилище ключей ОС — не в файле и не в журнале',
    strategy: 'Порядок оплаты и заказа',
    strategies: {
      pay_first: 'Сначала оплата, потом заказ в кассу',
      submit_first: 'Сначала заказ в кассу, потом оплата по её сумме',
    } as Record<string, string>,
    testConnection: 'Проверить связь',
    testing: 'Проверяем…',
    connectionOk: (ms: number | null): string => (ms === null ? 'Связь с кассой в порядке' : `Связь с кассой в порядке, ответ за ${ms} мс`),
    connectionFail: 'Есть проблемы — что сделать, написано под каждой строкой',
    menuSummary: (sections: number, dishes: number): string => `В меню ${sections} разд., ${dishes} блюд`,

    ordersTitle: 'Виды заказа',
    ordersHint: 'Что предложить гостю и по какому прайс-листу (категории заказа) считать',
    category: 'Категория заказа в кассе',
    categoryHint: 'Код категории; она выбирает цены',
    table: 'Код стола',
    tableHint: 'Пусто — стол шлюза по умолчанию',

    paymentTitle: 'Оплата',
    providers: {
      simulator: 'Симулятор терминала',
      counter: 'Оплата на кассе',
      sbpilot: 'Карта: терминал Сбербанка',
      tbank: 'СБП по QR: Т-Банк',
      yookassa: 'СБП по QR: ЮKassa',
    } as Record<string, string>,
    providerHints: {
      simulator: 'Для демонстрации и тестов',
      counter: 'Гость платит кассиру',
      sbpilot: 'UPOS через программу sb_pilot',
      tbank: 'QR-код на экране, эквайринг Т-Банка',
      yookassa: 'QR-код на экране, ЮKassa',
    } as Record<string, string>,
    simulatorUrl: 'Адрес симулятора',
    apiUrl: 'Адрес API',
    apiUrlHint: 'Пусто — боевой сервер; для тестового контура укажите его адрес',
    sbpilotBinary: 'Программа sb_pilot',
    sbpilotBinaryHint: 'Полный путь, например /opt/sb_pilot/sb_pilot',
    sbpilotInstallDir: 'Папка sb_pilot',
    sbpilotInstallDirHint: 'Где pinpad.ini; пусто — папка программы',
    tender: 'Вид оплаты в кассе',
    tenderHint: 'Код валюты r_keeper или pay_type_uid в Jupiter',
    tenderName: 'Название вида оплаты',
    paymentTimeout: 'Время на оплату, секунд',
    paymentTimeoutHint: 'Пусто — 90 секунд',
    checkPayment: 'Проверить без списания',
    testSale: 'Тестовая оплата 1 ₽ с возвратом',
    paymentOk: 'Оплата работает',
    paymentFail: 'Оплата не работает — что сделать, написано под каждой строкой',
    scanQr: (s: number): string => `Отсканируйте QR-код в приложении банка (${s} с)`,
    processing: 'Обработка…',
    waiting: 'Ждём ответа…',

    screenTitle: 'Экран гостя',
    languages: 'Языки',
    defaultLanguage: 'По умолчанию',
    idleTimeout: 'Без касаний до вопроса «Вы ещё здесь?», секунд',
    idleCountdown: 'Отсчёт до сброса заказа, секунд',
    confirmationTimeout: 'Номер заказа на экране, секунд',
    menuRefresh: 'Обновлять меню из кассы раз в, секунд',
    callbacksListen: 'Уведомления ProCart: адрес и порт',
    callbacksHint: 'Например 0.0.0.0:8765; пусто — только опрос статусов',
    callbacksPublicUrl: 'Адрес киоска для ProCart',

    pinTitle: 'Сервисный PIN',
    pinHint: 'Открывает сервисное меню: пять касаний левого верхнего угла экрана за 3 секунды, затем PIN.',
    pinKeepHint: 'Оставьте пустым, чтобы не менять PIN.',
    newPin: 'PIN (4–12 цифр)',
    repeatPin: 'Повторите PIN',

    finishTitle: 'Проверьте и запустите',
    settingsFile: (path: string): string => `Настройки будут записаны в ${path}`,
    notTested: 'не проверено',
    tested: 'проверено',
    failedTest: 'есть проблемы',
    pinWillBeSet: 'будет задан',
    pinUnchanged: 'без изменений',
    screenSummary: (idle: string, countdown: string, confirmation: string): string =>
      `вопрос через ${idle} с, отсчёт ${countdown} с, номер заказа ${confirmation} с`,
    saveAndStart: 'Сохранить и запустить киоск',
    starting: 'Запускаем киоск с новыми настройками…',

    menuTitle: 'Сервисное меню',
    lock: 'Выйти',
    pages: {
      diagnostics: 'Диагностика',
      preflight: 'Проверка меню и оплаты',
      export: 'Экспорт диагностики',
      pin: 'Сменить PIN',
      restart: 'Перезапуск',
      settings: 'Настройки',
    } as Record<string, string>,
    refresh: 'Обновить',
    posCard: 'Касса',
    reachable: 'На связи',
    unreachable: 'Нет связи',
    latency: (ms: number): string => `${ms} мс`,
    versions: 'Версии',
    licence: 'Лицензия',
    menuCard: 'Меню',
    menuAge: (s: number): string =>
      s < 60 ? `обновлено ${s} с назад` : s < 3600 ? `обновлено ${Math.floor(s / 60)} мин назад` : `обновлено ${Math.floor(s / 3600)} ч назад`,
    menuNever: 'ещё не загружено из кассы',
    stale: 'Устарело',
    fresh: 'Актуально',
    faults: (n: number): string => `Ошибок в меню: ${n}`,
    journalCard: 'Заказы',
    backlog: (n: number): string => `В работе: ${n}`,
    needsStaff: (n: number): string => `Ждут персонал: ${n}`,
    today: (n: number): string => `За сегодня: ${n}`,
    paymentCard: 'Оплата',
    diskCard: 'Диск',
    diskFree: (free: string, total: string): string => `Свободно ${free} из ${total}`,
    versionCard: 'Версия',
    allChecks: 'Все проверки',
    preflightHint:
      'Загружает меню из кассы заново и ищет ошибки: блюда без цены, невыполнимые правила модификаторов, циклы, ссылки в никуда, нет картинок; проверяет оплату.',
    runPreflight: 'Запустить проверку',
    exportHint: 'Архив: журналы работы, настройки без секретов, ошибки меню, сводка заказов.',
    exportDir: 'Папка для архива',
    exportDirHint: 'Например, флешка: /media/usb. Пусто — папка данных киоска.',
    exportRun: 'Записать архив',
    exportedTo: 'Архив записан',
    exportSize: (kb: number): string => `${kb} КБ`,
    pinChanged: 'PIN изменён',
    savePin: 'Сохранить PIN',
    restartHint: 'Киоск перезапустится и прочитает настройки заново. Незавершённые заказы продолжатся сами.',
    restartRun: 'Перезапустить',
    restartingNow: 'Перезапускаем…',
    setPinFirst: 'На этом устройстве ещё нет сервисного PIN. Задайте его, чтобы закрыть меню от посторонних.',

    enterPin: 'Сервисный PIN',
    enterPinHint: 'Для обслуживания киоска',
    enter: 'Войти',
    erase: 'Стереть',
    digit: (d: string): string => `Цифра ${d}`,
    pinDots: (n: number): string => `Введено цифр: ${n}`,
    wrongPin: (left: number): string =>
      left > 0 ? `Неверный PIN. Ещё попыток до блокировки: ${left}` : 'Неверный PIN',
    lockedOut: (s: number): string => `Слишком много неверных попыток. Повторите через ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`,
    pinNotSet: 'Сервисный PIN не задан',

    status: { ok: 'ОК', warn: 'Внимание', fail: 'Ошибка', skipped: 'Пропущено' } as Record<string, string>,
    fix: 'Что сделать',
    checkLabel: (id: string, fallback: string): string =>
      ({
        keyring: 'Хранилище ключей ОС',
        settings: 'Файл настроек',
        disk: 'Место на диске',
        data_dir: 'Папка данных',
        'pos.reachable': 'Касса на связи',
        'pos.versions': 'Версии',
        'pos.cash_server': 'Кассовый сервер',
        'pos.licence': 'Лицензия',
        'pos.token': 'Доступ к кассе',
        'pos.workday': 'Кассовый день',
        'pos.menu': 'Меню (getTT)',
        'menu.usable': 'Меню',
        'menu.faults': 'Ошибки меню',
        'menu.refresh': 'Обновление меню',
        'menu.age': 'Возраст меню',
        'menu.images': 'Картинки',
        'keyring.entries': 'Секреты кассы',
        'journal.health': 'Журнал заказов',
        'journal.backlog': 'Незавершённые заказы',
        'journal.needs_staff': 'Заказы для персонала',
        payment: 'Платёжный провайдер',
        'payment.key': fallback,
        'payment.sale': 'Тестовая оплата',
        'payment.refund': 'Возврат',
        'payment.cancel': 'Отмена',
      })[id] ?? fallback,
  },
};

export type Messages = typeof ru;
