import type { CategoryRef } from '@shop/contracts';
import { html, type Html } from './html';

export interface PageChrome {
  /** Hashed stylesheet and script paths. */
  assets: { css: string; js: string };
  /** Top-level categories for the header navigation. */
  nav: CategoryRef[];
}

export interface PageProps {
  title: string;
  description?: string;
  /** The search box shows this (the search page's own query). */
  query?: string;
  /** Pages about one shopper, and error pages, stay out of search engines. */
  noindex?: boolean;
  body: Html;
}

export const SHOP_NAME = 'Shop';

/** The document around every page: skip link, banner with navigation and search, main, footer. */
export function layout(chrome: PageChrome, page: PageProps): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${SHOP_NAME}</title>
${page.description ? html`<meta name="description" content="${page.description}">` : ''}
${page.noindex ? html`<meta name="robots" content="noindex">` : ''}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${chrome.assets.css}">
<script src="${chrome.assets.js}" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
  <a class="brand" href="/">${SHOP_NAME}</a>
  <nav class="site-nav" aria-label="Categories">
    <ul>${chrome.nav.map((c) => html`<li><a href="/c/${c.slug}">${c.name}</a></li>`)}</ul>
  </nav>
  <form class="site-search" role="search" action="/search" method="get">
    <label for="site-search">Search products</label>
    <input id="site-search" type="search" name="q" value="${page.query ?? ''}" maxlength="200" autocomplete="off">
    <button type="submit">Search</button>
  </form>
  <a href="/cart">Cart</a>
</header>
<main id="main" tabindex="-1">
${page.body}
</main>
<footer>
  <p><a href="/orders/lookup">Find an order</a></p>
</footer>
</body>
</html>
`;
}
