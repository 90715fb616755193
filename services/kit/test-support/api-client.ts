/** What a test gets back from a service: status, the body parsed as JSON (or the text), headers. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** JSON calls to one service, as a caller with one bearer token (or none) makes them. */
export interface Client {
  get<T = Record<string, unknown>>(path: string): Promise<Reply<T>>;
  post<T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  put<T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  patch<T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  delete<T = Record<string, unknown>>(path: string, headers?: Record<string, string>): Promise<Reply<T>>;
}

export function client(baseUrl: string, token: Promise<string> | string | null): Client {
  const call = async <T>(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const bearer = await token;
    const res = await fetch(baseUrl + p, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // A body that is not JSON stays text.
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
  return {
    get: (p) => call('GET', p),
    post: (p, b, h) => call('POST', p, b ?? {}, h),
    put: (p, b, h) => call('PUT', p, b ?? {}, h),
    patch: (p, b, h) => call('PATCH', p, b ?? {}, h),
    delete: (p, h) => call('DELETE', p, undefined, h),
  };
}
