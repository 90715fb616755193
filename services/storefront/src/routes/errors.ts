import type { NextFunction, Request, Response } from 'express';
import { HttpProblem, problems } from '@shop/kit';
import { calleeProblem, UNAVAILABLE_RETRY_SECONDS } from '../http/callee-problems';
import { errorPage } from '../render/pages/error';
import { chromeOf, type RouteContext } from './context';

const PAGE_TEXT: Record<number, { title: string; message: string }> = {
  400: { title: 'Something in that request was not right', message: 'Please go back and try again.' },
  404: { title: 'Page not found', message: 'We could not find that page. It may have moved, or the product may no longer be sold.' },
  409: { title: 'That did not work', message: 'Something changed in the meantime. Please go back and try again.' },
  413: { title: 'That was too much', message: 'The form you sent was larger than we accept.' },
  429: { title: 'Please slow down', message: 'You have sent many requests in a short time. Please wait a moment and try again.' },
  503: { title: 'We will be right back', message: 'Part of the shop is not answering right now. Please try again in a minute.' },
  500: { title: 'Something went wrong', message: 'Sorry, we could not show this page. Please try again.' },
};

/** JSON API and live stock answer with problem documents; everything else is a page. */
export const wantsProblem = (req: Request): boolean => req.path.startsWith('/api/') || req.path.startsWith('/live/');

/** Errors of the storefront's own routes: callee failures become 503s or their refusals, pages get HTML. */
export function errorHandler(ctx: RouteContext) {
  return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let problem = err instanceof HttpProblem ? err : calleeProblem(err);
    if (problem && problem.status === 503) {
      ctx.logger.warn({ err, requestId: req.id }, 'a service behind the storefront failed');
      if (!res.getHeader('Retry-After')) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
    }
    if (wantsProblem(req)) {
      res.setHeader('Cache-Control', 'no-store');
      next(problem ?? err);
      return;
    }
    if (!problem) {
      // Body parser refusals carry their own 4xx status; anything else is a bug, logged here.
      const status = (err as { status?: unknown })?.status;
      if (typeof status === 'number' && status >= 400 && status < 500) problem = new HttpProblem(status, 'bad-request', 'Bad request');
      else {
        ctx.logger.error({ err, requestId: req.id }, 'unhandled error on a page');
        problem = problems.internal();
      }
    }
    const text = PAGE_TEXT[problem.status] ?? (problem.status >= 500 ? PAGE_TEXT[500]! : PAGE_TEXT[400]!);
    // The storefront's own form refusals speak to shoppers; other problems get the status's words.
    const own = problem.type.endsWith('/invalid-form');
    const view = { status: problem.status, title: own ? problem.title : text.title, message: own ? problem.message : text.message };
    // With a service down, the navigation is left out rather than waited for.
    ctx.pages.error(res, problem.status, errorPage(await chromeOf(ctx, problem.status === 503 ? [] : undefined), view));
  };
}

/** Paths nobody serves: a page for browsers, a problem for API clients. */
export function notFound() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(problems.notFound(wantsProblem(req) ? `${req.method} ${req.path}` : `Page ${req.path}`));
  };
}
