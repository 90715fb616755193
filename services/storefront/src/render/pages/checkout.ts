import { TEST_CARDS, type CartView } from '@shop/contracts';
import { COUNTRIES, CHECKOUT_FIELDS, type CheckoutErrors, type CheckoutField, type CheckoutValues } from '../../domain/checkout-form';
import type { CheckoutFailure } from '../../domain/checkout-outcome';
import { errorSummary, field, money, optionsText } from '../components';
import { html, type Html } from '../html';
import { layout, type PageChrome } from '../layout';

export interface CheckoutView {
  cart: CartView;
  checkoutId: string;
  values: CheckoutValues;
  errors: CheckoutErrors;
  failure: CheckoutFailure | null;
  /** The test payment provider is in use: list its cards. */
  testCards: boolean;
}

const LABELS: Record<CheckoutField, string> = {
  email: 'Email',
  name: 'Full name',
  line1: 'Address',
  line2: 'Address line 2',
  city: 'Town or city',
  postalCode: 'Postal code',
  country: 'Country',
  cardNumber: 'Card number',
  expiry: 'Expiry date (MM/YY)',
  cvc: 'Security code (CVC)',
};

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

function summary(cart: CartView): Html {
  const currency = cart.currency ?? 'EUR';
  return html`<section aria-labelledby="summary-heading">
  <h2 id="summary-heading">Order summary</h2>
  <ul>${cart.lines.map((l) => html`<li>${l.quantity} × ${l.name}${Object.keys(l.options).length ? ` (${optionsText(l.options)})` : ''}: ${money(l.lineTotalMinor, currency)}</li>`)}</ul>
  <p>Subtotal: ${money(cart.subtotalMinor, currency)}</p>
  <p><a href="/cart">Change your cart</a></p>
</section>`;
}

function testCardList(): Html {
  return html`<aside class="test-cards" aria-labelledby="test-cards-heading">
  <h2 id="test-cards-heading">Test cards</h2>
  <p>This shop uses a test payment provider; no money moves. Use any future expiry date and any 3-digit code.</p>
  <ul>
    <li>Approved: <code>${TEST_CARDS.approved}</code></li>
    <li>Declined: <code>${TEST_CARDS.declined}</code></li>
    <li>No answer (times out): <code>${TEST_CARDS.timeout}</code></li>
  </ul>
</aside>`;
}

export function checkoutPage(chrome: PageChrome, v: CheckoutView): Html {
  const f = (name: CheckoutField, extra: Partial<Parameters<typeof field>[0]> = {}) =>
    field({ id: `field-${name}`, name, label: LABELS[name], value: name === 'cvc' ? '' : v.values[name], error: v.errors[name], required: true, ...extra });
  const errorList = CHECKOUT_FIELDS.filter((n) => v.errors[n]).map((n) => ({ id: `field-${n}`, message: `${LABELS[n]}: ${v.errors[n]!}` }));
  const countryError = v.errors.country;
  const alert =
    v.failure || errorList.length
      ? errorSummary(v.failure?.title ?? 'Please check your details', errorList, v.failure ? html`<p>${v.failure.message}</p>${v.failure.kind === 'sold_out' || v.failure.kind === 'cart' ? html`<p><a href="/cart">Review your cart</a></p>` : ''}` : undefined)
      : '';
  const body = html`<h1>Checkout</h1>
${alert}
${summary(v.cart)}
${v.testCards ? testCardList() : ''}
<form method="post" action="/checkout" novalidate>
  <input type="hidden" name="checkoutId" value="${v.checkoutId}">
  <fieldset>
    <legend>Contact</legend>
    ${f('email', { type: 'email', autocomplete: 'email', inputmode: 'email', maxlength: 254, hint: 'We send the order confirmation here.' })}
  </fieldset>
  <fieldset>
    <legend>Delivery address</legend>
    ${f('name', { autocomplete: 'name', maxlength: 120 })}
    ${f('line1', { autocomplete: 'address-line1', maxlength: 200 })}
    ${f('line2', { autocomplete: 'address-line2', maxlength: 200, required: false, optional: true })}
    ${f('city', { autocomplete: 'address-level2', maxlength: 100 })}
    ${f('postalCode', { autocomplete: 'postal-code', maxlength: 20 })}
    <div class="field">
      <label for="field-country">Country</label>
      ${countryError ? html`<p class="field-error" id="field-country-error"><span class="visually-hidden">Error: </span>${countryError}</p>` : ''}
      <select id="field-country" name="country" autocomplete="country" required${countryError ? html` aria-describedby="field-country-error" aria-invalid="true"` : ''}>
        <option value="">Choose a country</option>
        ${COUNTRIES.map((c) => html`<option value="${c}"${v.values.country === c ? html` selected` : ''}>${countryNames.of(c) ?? c}</option>`)}
      </select>
    </div>
  </fieldset>
  <fieldset>
    <legend>Payment</legend>
    ${f('cardNumber', { autocomplete: 'cc-number', inputmode: 'numeric', maxlength: 23 })}
    ${f('expiry', { autocomplete: 'cc-exp', maxlength: 5, size: 6 })}
    ${f('cvc', { autocomplete: 'cc-csc', inputmode: 'numeric', maxlength: 4, size: 5 })}
  </fieldset>
  <button type="submit">Place order</button>
</form>`;
  return layout(chrome, { title: 'Checkout', body, noindex: true });
}
