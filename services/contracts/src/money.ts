import { z } from 'zod';

/** ISO 4217 alphabetic code. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

/** Amounts are integer minor units (cents) of a currency; never floating point. */
export const minorUnitsSchema = z.number().int().min(0).max(100_000_000_00);

/** Ids the platform mints are UUIDs. */
export const uuidSchema = z.uuid();

/** Anonymous shopper and session ids come from the storefront's signed cookies. */
export const shopperIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 letters, digits, dash or underscore');
export const sessionIdSchema = shopperIdSchema;

/** Product slugs appear in storefront URLs. */
export const slugSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase words joined by single dashes');
