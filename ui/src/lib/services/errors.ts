/**
 * What to tell the customer about an `IpcError`: chosen by `code`, never by the message text.
 * The core's message is kept as a small technical line for staff.
 */
import type { IpcError } from '../bindings/IpcError';
import type { Messages } from '../i18n';

export interface ErrorText {
  title: string;
  hint: string;
  technical: string;
}

export function describeError(error: IpcError, t: Messages): ErrorText {
  let title: string;
  let hint = t.errorTryAgain;
  switch (error.code) {
    case 'menu_unavailable':
      title = t.errorMenu;
      break;
    case 'pos_unreachable':
    case 'pos_timeout':
    case 'pos_bad_token':
    case 'pos_no_licence':
    case 'pos_cash_server_down':
    case 'pos_malformed':
    case 'pos_server_error':
    case 'dish_unavailable':
    case 'price_changed':
    case 'order_refused':
    case 'cart_invalid':
      title = t.posErrorTitle(error.code);
      hint = t.posErrorAction(error.code);
      break;
    default:
      title = t.errorGeneric;
  }
  return { title, hint, technical: error.message };
}
