import { HttpProblem, problems, ServiceCallError, ServiceUnavailableError } from '@shop/kit';

/** Seconds a shopper (or API client) is asked to wait when a service behind the storefront is down. */
export const UNAVAILABLE_RETRY_SECONDS = 30;

const unavailable = () => problems.unavailable('temporarily-unavailable', 'Part of the shop is not answering right now; please try again in a moment');

/**
 * What the shopper is told when a service behind the storefront failed: down or failing is a 503,
 * a refusal of what they asked for keeps its status and reason, and a refusal of the storefront
 * itself (its token) is the storefront's fault, shown as a 503 and logged by the caller.
 */
export function calleeProblem(err: unknown): HttpProblem | null {
  if (err instanceof ServiceUnavailableError) return unavailable();
  if (!(err instanceof ServiceCallError)) return null;
  if (err.status >= 500 || err.status === 401 || err.status === 403 || err.status === 408 || err.status === 429) return unavailable();
  if (err.status === 404) return problems.notFound('The requested item');
  // The callee's own members (errors, available, shortages) travel along; its instance is its URL, not ours.
  const { type: _type, title, status: _status, detail, instance: _instance, ...extensions } = err.problem ?? { type: '', title: 'Request refused', status: err.status };
  return new HttpProblem(err.status, err.slug ?? 'refused', title, detail, extensions);
}
