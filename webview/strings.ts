/**
 * The webview's localized strings: the host sends English → translation for every string in
 * WEBVIEW_STRINGS (src/shared/messages.ts) with `init`, following VS Code's display language.
 */
import type { WebviewString } from '../src/shared/messages';

let table: Record<string, string> = {};
let locale = 'en';

export function setStrings(next: Record<string, string>, nextLocale: string): void {
  table = next;
  locale = nextLocale;
  document.documentElement.lang = nextLocale;
}

export function t(english: WebviewString): string {
  return table[english] ?? english;
}

const SYMBOLS: Record<string, string> = { USD: '$', CNY: '¥', EUR: '€' };

/** Same rule as the host: four decimals below one unit so fractions of a cent stay visible. */
export function formatMoney(value: number, currency: string): string {
  const decimals = Math.abs(value) >= 1 || value === 0 ? 2 : 4;
  return `${SYMBOLS[currency] ?? `${currency} `}${value.toFixed(decimals)}`;
}

export function formatNumber(value: number): string {
  try {
    return value.toLocaleString(locale);
  } catch {
    return String(value);
  }
}
