import { MAX_LINE_QUANTITY, type CartLineView, type CartView } from '@shop/contracts';
import { money, optionsText } from '../components';
import { html, type Html } from '../html';
import { layout, type PageChrome } from '../layout';

export type CartNotice = 'added' | 'updated' | 'removed';

const NOTICES: Record<CartNotice, string> = {
  added: 'Added to your cart.',
  updated: 'Your cart is updated.',
  removed: 'Removed from your cart.',
};

/** Why a line cannot be bought as it is, in a shopper's words. */
export function lineProblemText(line: CartLineView): string | null {
  if (line.problem === 'unavailable') return 'This item is no longer available. Please remove it.';
  if (line.problem === 'out_of_stock') return 'Sold out. Please remove it to check out.';
  if (line.problem === 'insufficient_stock') return `Only ${line.available} left. Please lower the quantity.`;
  return null;
}

function lineRow(line: CartLineView, currency: string): Html {
  const problem = lineProblemText(line);
  const id = `qty-${line.sku}`;
  return html`<tr>
  <td><a href="/p/${line.slug}">${line.name}</a>${Object.keys(line.options).length ? html`<br><span>${optionsText(line.options)}</span>` : ''}
    ${problem ? html`<p class="field-error" id="${id}-problem">${problem}</p>` : ''}</td>
  <td>${money(line.unitPriceMinor, currency)}</td>
  <td>
    <form method="post" action="/cart/items/${encodeURIComponent(line.sku)}">
      <label class="visually-hidden" for="${id}">Quantity of ${line.name}</label>
      <input id="${id}" name="quantity" type="number" inputmode="numeric" min="0" max="${MAX_LINE_QUANTITY}" value="${line.quantity}" size="3"${problem ? html` aria-describedby="${id}-problem" aria-invalid="true"` : ''}>
      <button type="submit" class="secondary">Update<span class="visually-hidden"> quantity of ${line.name}</span></button>
    </form>
  </td>
  <td>${money(line.lineTotalMinor, currency)}</td>
  <td>
    <form method="post" action="/cart/items/${encodeURIComponent(line.sku)}/remove">
      <button type="submit" class="secondary">Remove<span class="visually-hidden"> ${line.name}</span></button>
    </form>
  </td>
</tr>`;
}

export function cartPage(chrome: PageChrome, cart: CartView | null, notice: CartNotice | null, error: string | null): Html {
  const lines = cart?.lines ?? [];
  const currency = cart?.currency ?? 'EUR';
  const blocked = lines.some((l) => l.problem !== null);
  const body = html`<h1>Your cart</h1>
<div role="status">${notice ? html`<p class="notice">${NOTICES[notice]}</p>` : ''}</div>
${error ? html`<div class="alert" role="alert"><p>${error}</p></div>` : ''}
${
  lines.length === 0 || !cart
    ? html`<p>Your cart is empty. <a href="/">Continue shopping</a>.</p>`
    : html`<table>
  <caption class="visually-hidden">Items in your cart</caption>
  <thead><tr><th scope="col">Item</th><th scope="col">Price</th><th scope="col">Quantity</th><th scope="col">Total</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
  <tbody>${lines.map((l) => lineRow(l, currency))}</tbody>
</table>
<p class="totals">Subtotal (${cart.itemCount} ${cart.itemCount === 1 ? 'item' : 'items'}): ${money(cart.subtotalMinor, currency)}</p>
${blocked ? html`<p class="field-error">Please fix the items marked above before checking out.</p>` : html`<p class="totals"><a class="button" href="/checkout">Go to checkout</a></p>`}`
}`;
  return layout(chrome, { title: 'Your cart', body, noindex: true });
}
