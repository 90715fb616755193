/** Text as HTML: every character that could open markup is escaped. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A table of rows; every cell escaped, numbers right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const cell = (v: unknown): string => `<td${typeof v === 'number' ? ' class="num"' : ''}>${escapeHtml(v)}</td>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Minor units as an amount, e.g. 123456 EUR → "1,234.56 EUR"; two decimals, as most currencies have. */
export function money(minor: number | null, currency: string | null): string {
  if (minor === null || currency === null) return '—';
  return `${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

export const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
