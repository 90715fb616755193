import type { CategoryView, ProductSort, ProductSummary } from '@shop/contracts';
import { sortsFor, type ListingErrors, type ListingFilters } from '../../domain/listing';
import { errorSummary, field, productGrid } from '../components';
import { html, type Html } from '../html';
import { layout, type PageChrome } from '../layout';

const SORT_NAMES: Record<ProductSort, string> = {
  relevance: 'Best match',
  newest: 'Newest',
  best_selling: 'Best selling',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  name: 'Name',
};

const FIELD_NAMES: Record<keyof ListingErrors, string> = {
  q: 'Search',
  minPrice: 'Minimum price',
  maxPrice: 'Maximum price',
  inStock: 'In stock only',
  sort: 'Sort by',
  cursor: 'Page link',
};

export interface ListingView {
  /** Where the filter form submits: /c/{slug} or /search. */
  path: string;
  currency: string;
  q: string | null;
  filters: ListingFilters;
  errors: ListingErrors;
  products: ProductSummary[];
  nextHref: string | null;
  firstHref: string | null;
}

function filtersForm(v: ListingView): Html {
  const sorts = sortsFor(v.q !== null);
  const sortError = v.errors.sort;
  return html`<form class="filters" method="get" action="${v.path}" aria-label="Filter and sort">
  ${v.q !== null ? html`<input type="hidden" name="q" value="${v.q}">` : ''}
  ${field({ id: 'minPrice', name: 'minPrice', label: `Minimum price (${v.currency})`, value: v.filters.minPrice, error: v.errors.minPrice, inputmode: 'decimal', size: 8 })}
  ${field({ id: 'maxPrice', name: 'maxPrice', label: `Maximum price (${v.currency})`, value: v.filters.maxPrice, error: v.errors.maxPrice, inputmode: 'decimal', size: 8 })}
  <div class="field inline">
    <input id="inStock" type="checkbox" name="inStock" value="true"${v.filters.inStock ? html` checked` : ''}${v.errors.inStock ? html` aria-invalid="true" aria-describedby="inStock-error"` : ''}>
    <label for="inStock">In stock only</label>
    ${v.errors.inStock ? html`<p class="field-error" id="inStock-error">${v.errors.inStock}</p>` : ''}
  </div>
  <div class="field">
    <label for="sort">Sort by</label>
    ${sortError ? html`<p class="field-error" id="sort-error">${sortError}</p>` : ''}
    <select id="sort" name="sort"${sortError ? html` aria-invalid="true" aria-describedby="sort-error"` : ''}>
      ${sorts.map((s) => html`<option value="${s}"${v.filters.sort === s ? html` selected` : ''}>${SORT_NAMES[s]}</option>`)}
    </select>
  </div>
  <button type="submit">Apply</button>
</form>`;
}

function results(v: ListingView, empty: Html): Html {
  const errors = Object.entries(v.errors).map(([name, message]) => ({ id: name === 'q' ? 'site-search' : name === 'cursor' ? 'main' : name, message: `${FIELD_NAMES[name as keyof ListingErrors]} ${message}` }));
  if (errors.length) return errorSummary('Please check the filters', errors);
  if (v.products.length === 0) return empty;
  return html`${productGrid(v.products, 'h2', 'Products')}
<nav class="pagination" aria-label="Pages">
  ${v.firstHref ? html`<a href="${v.firstHref}">First page</a>` : ''}
  ${v.nextHref ? html`<a href="${v.nextHref}" rel="next">Next page</a>` : ''}
</nav>`;
}

export function categoryPage(chrome: PageChrome, category: CategoryView, v: ListingView): Html {
  const trail = category.path.slice(0, -1);
  const body = html`${trail.length ? html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>${trail.map((c) => html`<li><a href="/c/${c.slug}">${c.name}</a></li>`)}<li aria-current="page">${category.name}</li></ol></nav>` : ''}
<h1>${category.name}</h1>
${filtersForm(v)}
${results(v, html`<p>Nothing in ${category.name} matches these filters. <a href="/c/${category.slug}">Show everything in ${category.name}</a>.</p>`)}`;
  return layout(chrome, { title: category.name, description: `${category.name}: browse and filter products`, body, noindex: Object.keys(v.errors).length > 0 });
}

export function searchPage(chrome: PageChrome, v: ListingView, resultCount: number | null): Html {
  const heading = v.q === null ? 'Search' : html`Results for “${v.q}”`;
  const noResults = html`<div role="status">
  <h2>No results for “${v.q ?? ''}”</h2>
  <p>Check the spelling, try fewer or more general words, or browse a category.</p>
  ${chrome.nav.length ? html`<ul>${chrome.nav.map((c) => html`<li><a href="/c/${c.slug}">${c.name}</a></li>`)}</ul>` : ''}
</div>`;
  const content =
    v.q === null && !v.errors.q
      ? html`<p>Type what you are looking for in the search box above.</p>`
      : html`${filtersForm(v)}${results(v, noResults)}`;
  const beacon =
    v.q !== null && resultCount !== null
      ? html`<div hidden data-beacon="search_performed" data-query="${v.q}" data-result-count="${resultCount}"></div>
<noscript><img src="/beacon/pixel.gif?type=search_performed&amp;query=${encodeURIComponent(v.q)}&amp;resultCount=${resultCount}" alt="" width="1" height="1"></noscript>`
      : '';
  const body = html`<h1>${heading}</h1>
${content}
${beacon}`;
  return layout(chrome, { title: v.q === null ? 'Search' : `Search: ${v.q}`, query: v.q ?? '', body, noindex: true });
}
