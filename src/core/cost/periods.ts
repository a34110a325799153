/**
 * Budget periods. Days and months are the user's local calendar (the machine's time zone),
 * because "today's spending" means the user's today; every window and the CLI on one machine
 * share that zone, so they agree on period boundaries.
 */

/** "2026-11-25" for the local day containing `ms`. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "2026-11" for the local month containing `ms`. */
export function monthKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

/** The month before "2026-11" ("2026-10"; "2026-01" → "2025-12"). */
export function previousMonthKey(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
