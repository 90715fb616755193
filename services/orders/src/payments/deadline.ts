/** The provider did not answer within the caller's deadline; the call may still have taken effect. */
export class PaymentTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'PaymentTimeout';
  }
}

/**
 * Runs a provider call with a signal that aborts after `ms`, and stops waiting then even if the
 * adapter ignores the signal.
 */
export async function withDeadline<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timeout = new PaymentTimeout(ms);
  const timer = setTimeout(() => controller.abort(timeout), ms);
  try {
    return await new Promise<T>((resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(timeout), { once: true });
      call(controller.signal).then(resolve, reject);
    });
  } finally {
    clearTimeout(timer);
  }
}
