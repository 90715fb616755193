/** The storefront's stylesheet, served under a content-hashed name (see assets.ts). */
export const STYLES = `
:root { --ink: #1d1d1f; --muted: #55555c; --line: #d4d4d8; --accent: #0b57d0; --accent-ink: #fff; --bad: #b3261e; --good: #146c2e; --paper: #fff; --soft: #f4f4f6; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); line-height: 1.5; }
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
img { max-width: 100%; height: auto; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -4rem; background: var(--accent); color: var(--accent-ink); padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { top: 0.5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.site-header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: 0.75rem 1.5rem; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 1.25rem; color: var(--ink); text-decoration: none; }
.site-nav ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.site-search { display: flex; gap: 0.5rem; margin-left: auto; align-items: center; }
.site-search input { min-width: 14rem; }
main { display: block; max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
main:focus { outline: none; }
footer { border-top: 1px solid var(--line); padding: 1rem 1.5rem; color: var(--muted); }
input, select, button { font: inherit; padding: 0.45rem 0.6rem; border: 1px solid var(--muted); border-radius: 6px; }
button, .button { background: var(--accent); color: var(--accent-ink); border-color: var(--accent); cursor: pointer; text-decoration: none; display: inline-block; border-radius: 6px; padding: 0.5rem 1rem; }
button.secondary { background: var(--paper); color: var(--accent); }
button[disabled] { opacity: 0.55; cursor: not-allowed; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 1.25rem; list-style: none; padding: 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem; }
.card h3, .card h2 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
.card img { aspect-ratio: 1; object-fit: cover; width: 100%; background: var(--soft); }
.price { font-weight: 600; }
.stock-in { color: var(--good); }
.stock-low { color: #8a4b00; }
.stock-out { color: var(--bad); }
.field { margin: 0 0 1rem; display: flex; flex-direction: column; gap: 0.25rem; max-width: 28rem; }
.field.inline { flex-direction: row; align-items: center; }
.field-error { color: var(--bad); margin: 0; font-weight: 600; }
[aria-invalid="true"] { border: 2px solid var(--bad); }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 1.25rem; padding: 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; }
.filters .field { margin: 0; }
.notice { border-left: 4px solid var(--good); background: var(--soft); padding: 0.75rem 1rem; }
.alert { border-left: 4px solid var(--bad); background: #fcefee; padding: 0.75rem 1rem; }
.alert h2 { margin-top: 0; font-size: 1.1rem; }
.variant { display: flex; gap: 0.5rem; align-items: center; margin: 0.25rem 0; }
.product { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 2rem; }
@media (max-width: 48rem) { .product { grid-template-columns: 1fr; } }
.breadcrumb ol { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; margin: 0 0 1rem; }
.breadcrumb li + li::before { content: "/"; margin-right: 0.5rem; color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.totals { text-align: right; }
.test-cards { background: var(--soft); padding: 0.75rem 1rem; border-radius: 8px; }
.pagination { display: flex; gap: 1rem; margin: 1.5rem 0; }
`;
