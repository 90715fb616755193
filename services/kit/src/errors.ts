/** RFC 9457 problem details. Every error leaving a service is one of these. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export interface FieldError {
  field: string;
  message: string;
}

const TYPE_BASE = 'https://shop.example/problems/';

export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, slug: string, title: string, detail?: string, extensions: Record<string, unknown> = {}) {
    super(detail ?? title);
    this.status = status;
    this.type = TYPE_BASE + slug;
    this.title = title;
    this.extensions = extensions;
  }

  toBody(instance?: string): ProblemBody {
    // Extensions never override the standard members.
    const body: ProblemBody = { ...this.extensions, type: this.type, title: this.title, status: this.status };
    if (this.message && this.message !== this.title) body.detail = this.message;
    if (instance) body.instance = instance;
    return body;
  }
}

export const problems = {
  validation: (errors: FieldError[]) =>
    new HttpProblem(400, 'validation', 'Request is not valid', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors }),
  unauthenticated: (detail = 'A bearer token is required') => new HttpProblem(401, 'unauthenticated', 'Not authenticated', detail),
  forbidden: (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail),
  notFound: (what: string) => new HttpProblem(404, 'not-found', 'Not found', `${what} was not found`),
  conflict: (slug: string, title: string, detail?: string, ext?: Record<string, unknown>) => new HttpProblem(409, slug, title, detail, ext),
  unprocessable: (slug: string, title: string, detail?: string) => new HttpProblem(422, slug, title, detail),
  payloadTooLarge: () => new HttpProblem(413, 'payload-too-large', 'Request body is too large'),
  unavailable: (slug: string, detail: string) => new HttpProblem(503, slug, 'Service unavailable', detail),
  internal: () => new HttpProblem(500, 'internal', 'Internal error', 'The request could not be completed; it has been logged'),
};

export const PROBLEM_TYPE_BASE = TYPE_BASE;
