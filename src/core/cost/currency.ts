/**
 * Currency conversion for budgets and display. All cost arithmetic and the ledger are in USD
 * (the currency most vendors bill in); limits set in CNY or EUR are converted with this fixed,
 * dated table rather than a live rate, so a budget never moves because an exchange-rate service
 * was down or changed. `switchyard.budget.usdRate` overrides the rate for the chosen currency.
 */

export type Currency = 'USD' | 'CNY' | 'EUR';

/** Units of each currency per 1 USD: approximate mid-market rates, not live. */
export const USD_RATES: Readonly<Record<Currency, number>> = {
  USD: 1,
  CNY: 7.1,
  EUR: 0.86,
};

/** When USD_RATES were taken (said in the budget meter's tooltip and the docs). */
export const USD_RATES_AS_OF = '2025-11 (approximate mid-market rates)';

const SYMBOLS: Readonly<Record<Currency, string>> = { USD: '$', CNY: '¥', EUR: '€' };

export interface CurrencySetting {
  currency: Currency;
  /** Overrides USD_RATES[currency]. */
  usdRate?: number;
}

export function ratePerUsd(setting: CurrencySetting): number {
  return setting.usdRate ?? USD_RATES[setting.currency];
}

export function toUsd(amount: number, setting: CurrencySetting): number {
  return amount / ratePerUsd(setting);
}

export function fromUsd(usd: number, setting: CurrencySetting): number {
  return usd * ratePerUsd(setting);
}

/**
 * "$0.0123", "¥0.087": four decimals below one unit because single requests cost fractions
 * of a cent and rounding them to "$0.00" is exactly the "shown lower than charged" complaint.
 */
export function formatMoney(usd: number, setting: CurrencySetting): string {
  const value = fromUsd(usd, setting);
  const decimals = Math.abs(value) >= 1 ? 2 : 4;
  return `${SYMBOLS[setting.currency]}${value.toFixed(decimals)}`;
}
