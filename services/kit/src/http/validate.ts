import type { Request } from 'express';
import { z } from 'zod';
import { problems, type FieldError } from '../errors';

function fieldErrors(error: z.ZodError, location: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Parses a value with a zod schema; failure becomes a 400 problem naming each field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, location: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw problems.validation(fieldErrors(result.error, location));
  return result.data;
}

export const parseBody = <S extends z.ZodType>(req: Request, schema: S): z.infer<S> => parseWith(schema, req.body ?? {}, 'body');
export const parseQuery = <S extends z.ZodType>(req: Request, schema: S): z.infer<S> => parseWith(schema, req.query, 'query');
export const parseParams = <S extends z.ZodType>(req: Request, schema: S): z.infer<S> => parseWith(schema, req.params, 'params');
