import type { OrderStatus, OrderView } from '@shop/contracts';
import { errorSummary, field, money } from '../components';
import { html, type Html } from '../html';
import { layout, type PageChrome } from '../layout';

const STATUS_TEXT: Record<OrderStatus, string> = {
  pending_payment: 'Waiting for payment',
  paid: 'Paid — we are preparing it',
  fulfilled: 'Shipped',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
};

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

function orderDetails(order: OrderView): Html {
  const a = order.shipping;
  return html`<dl>
  <dt>Order number</dt><dd>${order.number}</dd>
  <dt>Status</dt><dd>${STATUS_TEXT[order.status]}</dd>
  <dt>Placed</dt><dd><time datetime="${order.createdAt}">${new Date(order.createdAt).toUTCString()}</time></dd>
  <dt>Paid with</dt><dd>${order.payment.brand} ending in ${order.payment.last4}</dd>
</dl>
<table>
  <caption>Items</caption>
  <thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Price</th><th scope="col">Total</th></tr></thead>
  <tbody>${order.lines.map(
    (l) => html`<tr><td>${l.name}</td><td>${l.quantity}</td><td>${money(l.unitPriceMinor, order.currency)}</td><td>${money(l.lineTotalMinor, order.currency)}</td></tr>`,
  )}</tbody>
</table>
<p class="totals">Subtotal: ${money(order.subtotalMinor, order.currency)}<br>Shipping: ${money(order.shippingMinor, order.currency)}<br><strong>Total: ${money(order.totalMinor, order.currency)}</strong></p>
<h2>Delivery address</h2>
<address>${a.name}<br>${a.line1}<br>${a.line2 ? html`${a.line2}<br>` : ''}${a.postalCode} ${a.city}<br>${countryNames.of(a.country) ?? a.country}</address>`;
}

export function orderPage(chrome: PageChrome, order: OrderView, justPlaced: boolean): Html {
  const body = html`<h1>${justPlaced ? 'Thank you for your order' : `Order ${order.number}`}</h1>
${justPlaced ? html`<p class="notice" role="status">Your order <strong>${order.number}</strong> is confirmed. We sent a confirmation to ${order.email}.</p>` : ''}
${orderDetails(order)}
<p><a href="/">Continue shopping</a></p>`;
  return layout(chrome, { title: `Order ${order.number}`, body, noindex: true });
}

export interface LookupView {
  number: string;
  email: string;
  errors: { number?: string; email?: string };
  notFound: boolean;
}

export function lookupPage(chrome: PageChrome, v: LookupView): Html {
  const errorList = [
    ...(v.errors.number ? [{ id: 'field-number', message: `Order number: ${v.errors.number}` }] : []),
    ...(v.errors.email ? [{ id: 'field-email', message: `Email: ${v.errors.email}` }] : []),
  ];
  const body = html`<h1>Find an order</h1>
${errorList.length ? errorSummary('Please check your details', errorList) : ''}
${v.notFound ? html`<div class="alert" role="alert"><p>We could not find an order with that number and email address. Please check both and try again.</p></div>` : ''}
<form method="post" action="/orders/lookup" novalidate>
  ${field({ id: 'field-number', name: 'number', label: 'Order number', value: v.number, error: v.errors.number, required: true, maxlength: 40, hint: 'It is in your confirmation email.' })}
  ${field({ id: 'field-email', name: 'email', label: 'Email', type: 'email', value: v.email, error: v.errors.email, required: true, autocomplete: 'email', maxlength: 254 })}
  <button type="submit">Find order</button>
</form>`;
  return layout(chrome, { title: 'Find an order', body, noindex: true });
}
