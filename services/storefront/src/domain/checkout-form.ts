import { z } from 'zod';
import { addressSchema, cardPaymentSchema, uuidSchema, type CheckoutBody } from '@shop/contracts';

export const CHECKOUT_FIELDS = ['email', 'name', 'line1', 'line2', 'city', 'postalCode', 'country', 'cardNumber', 'expiry', 'cvc'] as const;
export type CheckoutField = (typeof CHECKOUT_FIELDS)[number];
export type CheckoutValues = Record<CheckoutField, string>;
export type CheckoutErrors = Partial<Record<CheckoutField, string>>;

/** What each field needs, said the way a shopper would understand it. */
export const CHECKOUT_FIELD_HELP: Record<CheckoutField, string> = {
  email: 'Enter an email address such as name@example.com',
  name: 'Enter the name to deliver to',
  line1: 'Enter the street and house number',
  line2: 'Keep the second address line under 200 characters',
  city: 'Enter the town or city',
  postalCode: 'Enter the postal code',
  country: 'Choose the country to deliver to',
  cardNumber: 'Enter the 12 to 19 digits on the front of your card',
  expiry: 'Enter the expiry date as MM/YY, for example 08/29',
  cvc: 'Enter the 3 or 4 digit security code from the back of your card',
};

/** Countries the shop delivers to (ISO 3166-1 alpha-2). */
export const COUNTRIES = ['AT', 'BE', 'CH', 'CZ', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'LU', 'NL', 'NO', 'PL', 'PT', 'SE', 'US'] as const;

const emailSchema = z.email().max(254);

export type CheckoutForm =
  | { ok: true; checkoutId: string; order: Pick<CheckoutBody, 'email' | 'shipping' | 'payment'>; values: CheckoutValues }
  | { ok: false; checkoutId: string | null; errors: CheckoutErrors; values: CheckoutValues };

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Reads the posted checkout form; card numbers may be typed with spaces or dashes. */
export function readCheckoutForm(body: Record<string, unknown>): CheckoutForm {
  const values = Object.fromEntries(CHECKOUT_FIELDS.map((f) => [f, text(body[f]).slice(0, 300)])) as CheckoutValues;
  const checkoutIdParse = uuidSchema.safeParse(body.checkoutId);
  const checkoutId = checkoutIdParse.success ? checkoutIdParse.data : null;
  const errors: CheckoutErrors = {};
  const email = emailSchema.safeParse(values.email.trim());
  if (!email.success) errors.email = CHECKOUT_FIELD_HELP.email;
  const line2 = values.line2.trim();
  const shipping = addressSchema.safeParse({
    name: values.name,
    line1: values.line1,
    ...(line2 ? { line2 } : {}),
    city: values.city,
    postalCode: values.postalCode,
    country: (COUNTRIES as readonly string[]).includes(values.country) ? values.country : '',
  });
  if (!shipping.success) for (const issue of shipping.error.issues) errors[issue.path[0] as CheckoutField] = CHECKOUT_FIELD_HELP[issue.path[0] as CheckoutField];
  const payment = cardPaymentSchema.safeParse({
    method: 'card',
    cardNumber: values.cardNumber.replace(/[\s-]/g, ''),
    expiry: values.expiry.trim().replace(/^(\d)\//, '0$1/'),
    cvc: values.cvc.trim(),
  });
  if (!payment.success) for (const issue of payment.error.issues) errors[issue.path[0] as CheckoutField] = CHECKOUT_FIELD_HELP[issue.path[0] as CheckoutField];
  if (!email.success || !shipping.success || !payment.success || checkoutId === null) return { ok: false, checkoutId, errors, values };
  return { ok: true, checkoutId, order: { email: email.data, shipping: shipping.data, payment: payment.data }, values };
}

/** Maps the orders service's field names (body.shipping.city, body.payment.cvc) to the form's. */
export function checkoutFieldOf(apiField: string): CheckoutField | null {
  const last = apiField.split('.').pop() ?? '';
  return (CHECKOUT_FIELDS as readonly string[]).includes(last) ? (last as CheckoutField) : null;
}
