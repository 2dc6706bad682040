/**
 * The one error shape of the IPC boundary (`IpcError`) and the normalisation of whatever a call
 * rejected with into it. Kept apart from `ipc.ts` so pure state code can use it without loading
 * the backend.
 */
import type { ErrorCode } from './bindings/ErrorCode';
import type { IpcError } from './bindings/IpcError';

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'pos_unreachable', 'pos_timeout', 'pos_bad_token', 'pos_no_licence', 'pos_cash_server_down',
  'pos_malformed', 'pos_server_error', 'dish_unavailable', 'price_changed', 'order_refused',
  'not_found', 'cart_invalid', 'menu_unavailable', 'payment_declined', 'payment_cancelled',
  'payment_failed', 'superseded', 'journal_unavailable', 'bad_input', 'internal',
]);

/**
 * Whatever a command rejected with, as an `IpcError`. Tauri itself rejects with plain strings
 * (unknown command, missing permission); those become `internal` with the text kept. An unknown
 * code (a newer core) also becomes `internal`, so the UI's switches stay exhaustive.
 */
export function asIpcError(error: unknown): IpcError {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const e = error as { code: unknown; message?: unknown; problems?: unknown };
    const code = typeof e.code === 'string' && ERROR_CODES.has(e.code) ? (e.code as ErrorCode) : 'internal';
    const out: IpcError = { code, message: typeof e.message === 'string' ? e.message : String(e.code) };
    if (Array.isArray(e.problems)) out.problems = e.problems as IpcError['problems'];
    return out;
  }
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

/** True when `error` is an `IpcError` (optionally with the given `code`). */
export function isIpcError(error: unknown, code?: ErrorCode): error is IpcError {
  return (
    typeof error === 'object' && error !== null && 'code' in error && 'message' in error &&
    (code === undefined || (error as IpcError).code === code)
  );
}
