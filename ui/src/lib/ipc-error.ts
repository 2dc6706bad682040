/**
 * The one error shape of the IPC boundary (`IpcError`) and the normalisation of whatever a call
 * rejected with into it. Kept apart from `ipc.ts` so pure state code can use it without loading
 * the backend.
 */
import type { ErrorCode } from './bindings/ErrorCode';
import type { IpcError } from './bindings/IpcError';

/** Every code the core may send; a `Record` so a code added in Rust fails type-check here. */
const KNOWN_CODES: Record<ErrorCode, true> = {
  pos_unreachable: true, pos_timeout: true, pos_bad_token: true, pos_no_licence: true,
  pos_cash_server_down: true, pos_malformed: true, pos_server_error: true, dish_unavailable: true,
  price_changed: true, order_refused: true, total_mismatch: true, not_found: true, cart_invalid: true,
  menu_unavailable: true, payment_declined: true, payment_cancelled: true, payment_failed: true,
  superseded: true, journal_unavailable: true, bad_input: true, internal: true, not_authorized: true,
  keyring_unavailable: true, printer_unavailable: true,
};
const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(KNOWN_CODES));

/**
 * Whatever a command rejected with, as an `IpcError`. Tauri itself rejects with plain strings
 * (unknown command, missing permission); those become `internal` with the text kept. An unknown
 * code (a newer core) also becomes `internal`, so the UI's switches stay exhaustive.
 */
export function asIpcError(error: unknown): IpcError {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const e = error as { code: unknown; message?: unknown; problems?: unknown; dish?: unknown; printer?: unknown };
    const code = typeof e.code === 'string' && ERROR_CODES.has(e.code) ? (e.code as ErrorCode) : 'internal';
    const out: IpcError = { code, message: typeof e.message === 'string' ? e.message : String(e.code) };
    if (Array.isArray(e.problems)) out.problems = e.problems as IpcError['problems'];
    if (typeof e.dish === 'string') out.dish = e.dish;
    if (typeof e.printer === 'object' && e.printer !== null) out.printer = e.printer as IpcError['printer'];
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
