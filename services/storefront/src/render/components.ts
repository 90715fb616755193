import type { ProductSummary } from '@shop/contracts';
import { formatMoney } from '../domain/money';
import { stockLabel, stockState } from '../domain/stock';
import { html, type Html } from './html';

export const money = (minor: number, currency: string): Html => html`<span class="price">${formatMoney(minor, currency)}</span>`;

export const stockText = (available: number, sku?: string): Html =>
  html`<span class="stock-${stockState(available)}"${sku ? html` data-stock-for="${sku}"` : ''}>${stockLabel(available)}</span>`;

/** "Colour: black, Size: M" from a variant's option values, in the product's option order when given. */
export function optionsText(options: Record<string, string>, order: readonly string[] = []): string {
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return Object.entries(options)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([name, value]) => `${name.charAt(0).toUpperCase()}${name.slice(1)}: ${value}`)
    .join(', ');
}

/** The card's link is named by the product's name; its picture repeats it, so it is left out of the name (alt=""). */
export function productCard(product: ProductSummary, heading: 'h2' | 'h3'): Html {
  const name = heading === 'h2' ? html`<h2>${product.name}</h2>` : html`<h3>${product.name}</h3>`;
  return html`<li class="card">
  <a href="/p/${product.slug}">
    ${product.image ? html`<img src="${product.image.url}" alt="" width="320" height="320" loading="lazy">` : ''}
    ${name}
  </a>
  <p>${money(product.priceMinor, product.currency)}</p>
  <p>${product.inStock ? html`<span class="stock-in">In stock</span>` : html`<span class="stock-out">Out of stock</span>`}</p>
</li>`;
}

export const productGrid = (products: ProductSummary[], heading: 'h2' | 'h3', label: string): Html =>
  html`<ul class="cards" aria-label="${label}">${products.map((p) => productCard(p, heading))}</ul>`;

export interface FieldProps {
  id: string;
  name: string;
  label: string;
  value?: string;
  error?: string | undefined;
  hint?: string;
  type?: 'text' | 'email' | 'number' | 'search' | 'tel';
  autocomplete?: string;
  inputmode?: 'numeric' | 'decimal' | 'email' | 'text';
  required?: boolean;
  /** Says "(optional)" in the label. */
  optional?: boolean;
  maxlength?: number;
  min?: number;
  max?: number;
  step?: string;
  size?: number;
}

/** A labelled input whose hint and error are tied to it with aria-describedby. */
export function field(p: FieldProps): Html {
  const hintId = p.hint ? `${p.id}-hint` : null;
  const errorId = p.error ? `${p.id}-error` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  return html`<div class="field">
  <label for="${p.id}">${p.label}${p.optional ? html` <span>(optional)</span>` : ''}</label>
  ${hintId ? html`<span id="${hintId}">${p.hint}</span>` : ''}
  ${errorId ? html`<p class="field-error" id="${errorId}"><span class="visually-hidden">Error: </span>${p.error}</p>` : ''}
  <input id="${p.id}" name="${p.name}" type="${p.type ?? 'text'}" value="${p.value ?? ''}"${p.autocomplete ? html` autocomplete="${p.autocomplete}"` : ''}${
    p.inputmode ? html` inputmode="${p.inputmode}"` : ''
  }${p.required ? html` required` : ''}${p.maxlength !== undefined ? html` maxlength="${p.maxlength}"` : ''}${p.min !== undefined ? html` min="${p.min}"` : ''}${
    p.max !== undefined ? html` max="${p.max}"` : ''
  }${p.step ? html` step="${p.step}"` : ''}${p.size ? html` size="${p.size}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${p.error ? html` aria-invalid="true"` : ''}>
</div>`;
}

/** Errors listed at the top of a form, each linking to its field; announced when the page loads. */
export function errorSummary(title: string, errors: Array<{ id: string; message: string }>, extra?: Html): Html {
  return html`<div class="alert" role="alert" tabindex="-1" id="form-errors">
  <h2>${title}</h2>
  ${extra ?? ''}
  ${errors.length ? html`<ul>${errors.map((e) => html`<li><a href="#${e.id}">${e.message}</a></li>`)}</ul>` : ''}
</div>`;
}
