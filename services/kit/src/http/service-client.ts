import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import type { ProblemBody } from '../errors';
import type { ServiceCredentials } from '../auth/service-credentials';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency';

export interface ServiceClientOptions {
  /** The callee's name, used in errors and as the audience of its tokens. */
  service: string;
  baseUrl: string;
  /** Absent: calls carry no bearer token (public read APIs). */
  credentials?: ServiceCredentials | undefined;
  /** Audience of the tokens; defaults to the service name. */
  audience?: string;
  /** Per attempt, connection included. */
  timeoutMs?: number;
  /** Sockets kept open per callee. */
  maxSockets?: number;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** The callee answered with an error status; `problem` is its RFC 9457 body when it sent one. */
export class ServiceCallError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
    readonly problem: ProblemBody | null,
  ) {
    super(`${service} answered ${status}${problem ? `: ${problem.title}${problem.detail ? ` (${problem.detail})` : ''}` : ''}`);
    this.name = 'ServiceCallError';
  }

  /** The slug of the problem type, e.g. `sold-out`. */
  get slug(): string | undefined {
    return this.problem?.type.split('/').pop();
  }
}

/** The callee could not be reached, timed out, or answered with something unreadable. */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly service: string,
    reason: string,
    readonly timedOut = false,
  ) {
    super(`${service} is unavailable: ${reason}`);
    this.name = 'ServiceUnavailableError';
  }
}

interface RawResponse {
  status: number;
  body: string;
  contentType: string;
}

const RETRY_DELAY_MS = 100;

/**
 * JSON over HTTP to another service of the platform: keep-alive connections, a timeout per
 * attempt, a bearer token from the caller's credentials, responses parsed with the contract's zod
 * schema. Reads and requests with an Idempotency-Key are retried once after a connection failure
 * or a 502/503/504; anything else is left for the caller to decide.
 */
export class ServiceClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly audience: string;

  constructor(private readonly options: ServiceClientOptions) {
    this.base = new URL(options.baseUrl);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, keepAliveMsecs: 30_000 };
    this.agent = this.base.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.audience = options.audience ?? options.service;
  }

  get<S extends z.ZodType>(path: string, schema: S, options: CallOptions = {}): Promise<z.infer<S>> {
    return this.call('GET', path, undefined, schema, options, true);
  }

  post<S extends z.ZodType>(path: string, body: unknown, schema: S, options: CallOptions = {}): Promise<z.infer<S>> {
    return this.call('POST', path, body, schema, options, options.idempotencyKey !== undefined);
  }

  put<S extends z.ZodType>(path: string, body: unknown, schema: S, options: CallOptions = {}): Promise<z.infer<S>> {
    // PUT sets state, so repeating it is harmless.
    return this.call('PUT', path, body, schema, options, true);
  }

  delete<S extends z.ZodType>(path: string, schema: S, options: CallOptions = {}): Promise<z.infer<S>> {
    return this.call('DELETE', path, undefined, schema, options, true);
  }

  close(): void {
    this.agent.destroy();
  }

  private async call<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S, options: CallOptions, retryable: boolean): Promise<z.infer<S>> {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = options.idempotencyKey;
    if (this.options.credentials) headers.authorization = `Bearer ${await this.options.credentials.token(this.audience)}`;

    let response: RawResponse;
    try {
      response = await this.send(method, url, headers, payload, options.timeoutMs ?? this.timeoutMs);
      if (retryable && response.status >= 502 && response.status <= 504) throw new ServiceUnavailableError(this.options.service, `status ${response.status}`);
    } catch (err) {
      if (!retryable || !(err instanceof ServiceUnavailableError)) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      response = await this.send(method, url, headers, payload, options.timeoutMs ?? this.timeoutMs);
    }
    return this.interpret(response, schema);
  }

  private interpret<S extends z.ZodType>(response: RawResponse, schema: S): z.infer<S> {
    let parsed: unknown = null;
    if (response.body) {
      try {
        parsed = JSON.parse(response.body);
      } catch {
        throw new ServiceUnavailableError(this.options.service, `answered ${response.status} with a body that is not JSON`);
      }
    }
    if (response.status >= 400) {
      const problem = response.contentType.includes('json') && isProblem(parsed) ? parsed : null;
      throw new ServiceCallError(this.options.service, response.status, problem);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const first = result.error.issues[0];
      throw new ServiceUnavailableError(this.options.service, `answered with an unexpected body (${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'})`);
    }
    return result.data;
  }

  private send(method: string, url: URL, headers: Record<string, string>, payload: string | undefined, timeoutMs: number): Promise<RawResponse> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method, headers: payload === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(payload)) }, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(new ServiceUnavailableError(this.options.service, err.message));
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new ServiceUnavailableError(this.options.service, `no answer within ${timeoutMs} ms`, true));
      }, timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof ServiceUnavailableError ? err : new ServiceUnavailableError(this.options.service, err.message));
      });
      req.end(payload);
    });
  }
}

function isProblem(value: unknown): value is ProblemBody {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.title === 'string' && typeof v.status === 'number';
}
