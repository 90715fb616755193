export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or null when it is not JSON. */
  json: unknown;
  /** Set-Cookie lines of this response, by cookie name. */
  setCookies: Map<string, string>;
}

export function setCookiesOf(headers: Headers): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of headers.getSetCookie()) {
    const name = line.slice(0, line.indexOf('='));
    out.set(name, line);
  }
  return out;
}

/**
 * A shopper's HTTP client: keeps the cookies the shop sets (a Max-Age=0 deletes one), never
 * follows redirects on its own so tests see the 303s.
 */
export class Visitor {
  readonly jar = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  get cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...this.extraHeaders, ...options.headers };
    if (this.jar.size && headers.cookie === undefined) headers.cookie = this.cookieHeader;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.json === 'string' ? options.json : JSON.stringify(options.json);
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    const setCookies = setCookiesOf(res.headers);
    for (const [name, line] of setCookies) {
      const value = line.slice(name.length + 1).split(';')[0] ?? '';
      if (/;\s*Max-Age=0\b/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // pages are not JSON
    }
    return { status: res.status, headers: res.headers, text, json, setCookies };
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, { ...(headers ? { headers } : {}) });
  }

  postForm(path: string, form: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, { form });
  }

  api(method: string, path: string, json?: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request(method, path, { ...(json !== undefined ? { json } : {}), ...(headers ? { headers } : {}) });
  }
}

/** The value of a hidden input (e.g. the checkout id) in a page. */
export function hiddenValue(html: string, name: string): string | null {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  return match?.[1] ?? null;
}
