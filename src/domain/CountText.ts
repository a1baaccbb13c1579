/**
 * The one way a count is written in text — the CLI's output and every error and warning sentence:
 * digits grouped by commas, 1234567 → "1,234,567" (JSON keeps plain numbers). Written by hand:
 * toLocaleString loads ICU data (~20 ms of a plan).
 */
export const formatCount = (n: number): string =>
  Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",") : String(n)
