/**
 * English texts. Typed as `Messages` (from `ru.ts`), so a missing or extra key fails type-check.
 */
import type { ErrorCode } from '../bindings/ErrorCode';
import type { CheckoutState } from '../bindings/CheckoutState';
import type { Messages } from './ru';
import { formatDelta, formatMoney } from '../money';

const s = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const en: Messages = {
  langName: 'English',
  htmlLang: 'en',
  money: (m) => formatMoney(m, 'en'),
  delta: (m) => formatDelta(m, 'en'),
  from: (price) => `from ${price}`,

  appName: 'Kiosk',
  close: 'Close',
  back: 'Back',
  retry: 'Try again',
  loading: 'Loading…',
  decrease: 'Fewer',
  increase: 'More',
  a11yToggle: 'Accessibility mode',
  a11yOn: 'Accessibility mode is on',
  startOver: 'Start over',
  cancelOrderTitle: 'Cancel your order?',
  cancelOrderText: 'Everything you picked will be removed.',
  cancelOrderYes: 'Yes, cancel',
  cancelOrderNo: 'No, keep ordering',
  demoMode: 'Demo mode',

  attractTitle: 'Order here',
  attractSubtitle: 'Skip the line — pay by card or phone',
  attractTap: 'Tap anywhere to order',
  chooseLanguage: 'Choose your language',
  orderTypeTitle: 'Where will you eat?',
  orderType: (t) => (t === 'eat_in' ? 'Eat in' : 'Take away'),
  orderTypeHint: (t) => (t === 'eat_in' ? 'Served on a tray' : 'Packed in a bag'),

  sections: 'Menu sections',
  search: 'Search the menu',
  searchPlaceholder: 'Find a dish',
  clearSearch: 'Clear search',
  searchResults: (n, q) => `“${q}”: ${n} ${s(n, 'dish', 'dishes')}`,
  searchNothing: 'Nothing found. Try another word.',
  badge: (b) => ({ new: 'New', spicy: 'Spicy', vegetarian: 'Vegetarian', hit: 'Popular' })[b],
  unavailable: (r) => (r === 'sold_out' ? 'Sold out' : 'Not available today'),
  remains: (n) => `Only ${n} left`,
  combo: 'Combo',
  menuLoading: 'Loading the menu…',
  yourOrder: 'Your order',
  items: (n) => `${n} ${s(n, 'item', 'items')}`,
  cartEmptyShort: 'Nothing yet',
  openCart: 'Open your order',
  toCart: 'Order',

  portion: (value, unit) => `${value} ${unit}`,
  ruleChooseExactly: (n) => `Choose ${n}`,
  ruleUpTo: (n) => `Up to ${n}`,
  ruleRange: (min, max) => `Choose ${min} to ${max}`,
  ruleAtLeast: (n) => `At least ${n}`,
  ruleAny: 'As many as you like',
  required: 'Required',
  optional: 'Optional',
  included: 'Included',
  includedTag: 'included',
  modifierUnavailable: 'not available',
  selected: 'selected',
  quantity: 'Quantity',
  addToCart: 'Add',
  saveChanges: 'Save',
  sheetMissing: (groups) => `Please choose: ${groups}`,
  sheetTooMany: (group, max) => `“${group}”: at most ${max}`,
  dishUnavailableNow: 'This dish is not available right now',

  comboStep: (i, n) => `Step ${i} of ${n}`,
  comboChoose: (slot) => `Choose your ${slot.toLowerCase()}`,
  comboSummary: 'Your combo',
  comboNext: 'Next',
  comboAdd: 'Add combo',
  comboChange: 'Change',
  comboNoExtra: 'No extra charge',
  comboPickMissing: 'Make a choice to continue',
  comboPartTitle: (dish) => `Your ${dish}`,
  comboPartMissing: (dish, groups) => `Please choose for ${dish}: ${groups}`,

  cartTitle: 'Your order',
  cartEmptyTitle: 'Your order is empty',
  cartEmptyHint: 'Have a look at the menu — there is plenty to choose from.',
  toMenu: 'To the menu',
  addMore: 'Add more',
  edit: 'Edit',
  remove: 'Remove',
  lineLabel: (name, qty) => `${name}, ${qty} pcs`,
  subtotal: 'Subtotal',
  total: 'Total',
  estimateNote: 'Confirming the price with the till…',
  estimateStale: 'Recalculating…',
  posConfirmed: 'Price confirmed by the till',
  pay: (total) => `Pay ${total}`,
  payWaiting: 'Confirming the price…',
  priceChangedTitle: 'The till changed a price',
  priceChanged: (name, menuPrice, posPrice) =>
    `“${name}”: ${posPrice} instead of ${menuPrice} on the menu. The total is already updated — please check it before paying.`,
  posErrorTitle: (code: ErrorCode) =>
    ({
      dish_unavailable: 'A dish has run out',
      price_changed: 'Prices have changed',
      order_refused: 'The till cannot accept this order',
      cart_invalid: 'Your order needs a fix',
    } as Partial<Record<ErrorCode, string>>)[code] ?? 'The till is not answering',
  posErrorAction: (code: ErrorCode) =>
    ({
      dish_unavailable: 'Remove or replace that dish to continue.',
      price_changed: 'Check the new total and carry on.',
      order_refused: 'Change your order or ask a member of staff.',
      cart_invalid: 'Fix the marked items.',
    } as Partial<Record<ErrorCode, string>>)[code] ?? 'Try again in a few seconds, or ask a member of staff.',
  menuChangedTitle: 'The menu was updated',
  menuPriceChanged: (name, before, now) =>
    `“${name}” now costs ${now} (was ${before}). The total is already updated — please check it before paying.`,
  linePriceChanged: (before, now) => `New price: ${now} (was ${before})`,
  problemUnavailable: (name) => `“${name}” is not available now. Remove it to continue.`,
  problemChoices: (group) => `Please choose a ${group.toLowerCase()}. Tap “Edit”.`,
  problemGeneric: 'This item needs to be changed or removed.',

  upsellTitleDrink: 'Add a drink?',
  upsellTitleDessert: 'Something sweet?',
  upsellTitleSide: 'Add a side?',
  upsellTitle: 'You might also like',
  upsellHint: 'One tap and it is in. Or carry on without.',
  upsellAdd: 'Add',
  upsellSkip: 'No, thanks',

  paymentTitle: 'Payment',
  toPay: 'To pay',
  paymentPreparing: 'Preparing the payment…',
  paymentFollowTerminal: 'Follow the instructions on the card terminal',
  paymentScanQr: 'Scan the QR code with your phone camera or banking app',
  qrExpires: (t) => `Code valid for ${t}`,
  terminalPrompt: (text) => ({ card_prompt: 'Tap or insert your card, or hold your phone to the terminal' } as Record<string, string>)[text] ?? text,
  paymentProcessing: 'Checking the payment…',
  paymentPaid: 'Payment received',
  paymentSending: 'Sending your order to the kitchen…',
  paymentDontLeave: 'Please stay at the kiosk',
  stepPay: 'Payment',
  stepSend: 'Sending the order',
  stepDone: 'Done',
  declinedTitle: 'The payment did not go through',
  cancelledTitle: 'The payment was cancelled',
  declinedNoMoney: 'No money was taken. You can try another card or payment method.',
  backToCart: 'Back to my order',
  checkoutFailedTitle: 'We could not place your order',
  checkoutFailedHint: 'If money was taken, a member of staff will put it right — show them this screen.',
  priceChangedAtPay: 'The price changed while you were ordering. Please check the new total.',

  thanks: 'Thank you! Your order is in',
  troubleTitle: 'We are sorry',
  orderNumber: 'Order number',
  payAtCounterTitle: 'Please pay at the counter',
  payAtCounterHint: 'Tell the cashier your order number. We start cooking once it is paid.',
  collectHint: (t) =>
    t === 'eat_in' ? 'Watch the screen — we will call your number when it is ready.' : 'Collect your order at the pick-up point when your number shows on the screen.',
  orderStatus: 'Status',
  posStatus: (kind, raw) =>
    ({
      deferred: 'Waiting for payment at the counter',
      open: 'We are preparing your order',
      bill: 'Your order is almost ready',
      closed: 'Your order is ready',
      deleted: 'The order was cancelled — please ask a member of staff',
    } as Record<string, string>)[kind] ?? `Till status: ${raw ?? kind}`,
  checkoutState: (st: CheckoutState) =>
    ({
      priced: 'Preparing the payment',
      payment_started: 'Payment in progress',
      paid: 'Paid',
      posting: 'Sending your order to the kitchen',
      posted: 'Order sent to the kitchen',
      tracking: 'We are preparing your order',
      completed: 'Your order is ready',
      payment_failed: 'The payment did not go through',
      refunding: 'Refunding your money',
      refunded: 'Your money was refunded',
      needs_staff: 'A member of staff will help you',
    } satisfies Record<CheckoutState, string>)[st],
  noticePaidSending: 'Payment received. We are sending your order to the kitchen — this takes a few seconds.',
  noticeRefunding: (reason) => `The kitchen could not accept your order (${reason}). We are refunding your card.`,
  noticeRefunded: (reason) => `Your money was refunded to your card (${reason}). It usually arrives within minutes.`,
  noticeAskStaff: (reason) => `Please ask a member of staff and show them this screen. ${reason}`,
  paid: 'Paid',
  newOrder: 'New order',
  returningIn: (n) => `Back to the start screen in ${n} s`,

  idleTitle: 'Are you still there?',
  idleText: (n) => `Your order will be cancelled in ${n} s`,
  idleContinue: 'Yes, I am here',

  errorMenu: 'The menu is not available right now',
  errorGeneric: 'Something went wrong',
  errorTryAgain: 'Please try again or ask a member of staff.',
  outOfServiceTitle: 'This kiosk is out of service',
  outOfServiceHint: 'Please order at the counter. Sorry for the trouble.',
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
