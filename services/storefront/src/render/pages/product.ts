import type { ProductDetail, ProductSummary, VariantView } from '@shop/contracts';
import { MAX_LINE_QUANTITY } from '@shop/contracts';
import { stockLabel } from '../../domain/stock';
import { money, optionsText, productGrid, stockText } from '../components';
import { html, type Html } from '../html';
import { layout, type PageChrome } from '../layout';

export interface ProductView {
  product: ProductDetail;
  /** Sellable units per SKU as the page is rendered. */
  stock: Map<string, number>;
  alsoViewed: ProductSummary[];
}

function variantChoice(v: VariantView, name: string, available: number, checked: boolean, showPrice: boolean): Html {
  const id = `variant-${v.sku}`;
  return html`<div class="variant">
  <input type="radio" id="${id}" name="sku" value="${v.sku}" data-label="${name}"${checked ? html` checked` : ''}${available <= 0 && !checked ? html` disabled` : ''} aria-describedby="${id}-stock">
  <label for="${id}">${name}${showPrice ? html` — ${money(v.priceMinor, v.currency)}` : ''}</label>
  <span id="${id}-stock">${stockText(available, v.sku)}</span>
</div>`;
}

export function productPage(chrome: PageChrome, view: ProductView): Html {
  const p = view.product;
  const order = p.options.map((o) => o.name);
  const variantName = (v: VariantView): string => optionsText(v.options, order) || v.sku;
  const available = (v: VariantView): number => view.stock.get(v.sku) ?? v.available;
  const chosen = p.variants.find((v) => available(v) > 0) ?? p.variants[0]!;
  const single = p.variants.length === 1;
  const samePrice = p.variants.every((v) => v.priceMinor === p.variants[0]!.priceMinor);
  const skus = p.variants.map((v) => v.sku).join(',');
  const price = samePrice ? money(p.priceMinor, p.currency) : html`From ${money(p.priceMinor, p.currency)}`;
  const image = p.images[0] ?? p.image;

  const form = html`<form method="post" action="/cart/items" data-variants>
  ${
    single
      ? html`<input type="hidden" name="sku" value="${chosen.sku}" data-label="">`
      : html`<fieldset><legend>Choose an option</legend>${p.variants.map((v) => variantChoice(v, variantName(v), available(v), v === chosen, !samePrice))}</fieldset>`
  }
  <div class="field">
    <label for="quantity">Quantity</label>
    <input id="quantity" name="quantity" type="number" inputmode="numeric" min="1" max="${MAX_LINE_QUANTITY}" value="1" required>
  </div>
  <button type="submit"${available(chosen) <= 0 ? html` disabled` : ''}>Add to cart</button>
</form>`;

  const body = html`${
    p.breadcrumb.length
      ? html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>${p.breadcrumb.map((c) => html`<li><a href="/c/${c.slug}">${c.name}</a></li>`)}<li aria-current="page">${p.name}</li></ol></nav>`
      : ''
  }
<article class="product" data-live-skus="${skus}">
  <div>
    ${image ? html`<img src="${image.url}" alt="${image.alt}" width="640" height="640">` : ''}
    ${p.images.slice(1).map((i) => html`<img src="${i.url}" alt="${i.alt}" width="160" height="160" loading="lazy">`)}
  </div>
  <div>
    <h1>${p.name}</h1>
    <p>${price}</p>
    <p id="stock-status" role="status" aria-live="polite">${single ? stockText(available(chosen), chosen.sku) : `${variantName(chosen)}: ${stockLabel(available(chosen))}`}</p>
    ${form}
    <h2>Description</h2>
    <p>${p.description}</p>
  </div>
</article>
${
  view.alsoViewed.length
    ? html`<section aria-labelledby="also-viewed-heading">
  <h2 id="also-viewed-heading">Shoppers also viewed</h2>
  ${productGrid(view.alsoViewed, 'h3', 'Shoppers also viewed')}
</section>`
    : ''
}
<div hidden data-beacon="product_viewed" data-product-id="${p.id}"></div>
<noscript><img src="/beacon/pixel.gif?type=product_viewed&amp;productId=${p.id}" alt="" width="1" height="1"></noscript>`;
  return layout(chrome, { title: p.name, description: p.description.slice(0, 160), body });
}
