/**
 * The languages the kiosk speaks. Adding one is adding a file typed `Messages` and a line here.
 */
import { en } from './en';
import { ru, type Messages } from './ru';

export type { Messages };
export type Lang = 'ru' | 'en';

export const MESSAGES: Record<Lang, Messages> = { ru, en };
export const LANGS: readonly Lang[] = ['ru', 'en'];

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** The messages for a language code from the settings, falling back to Russian. */
export function messagesFor(lang: string): Messages {
  return isLang(lang) ? MESSAGES[lang] : ru;
}
