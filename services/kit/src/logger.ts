import pino, { type Logger, type DestinationStream } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger } from 'pino';

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export interface LoggerOptions {
  service: string;
  level: string;
  project?: string | undefined;
  destination?: DestinationStream;
}

/** JSON logs in Cloud Logging's structured format, correlated with the active trace. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      messageKey: 'message',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }),
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'],
        censor: '[redacted]',
      },
      mixin() {
        const span = trace.getActiveSpan();
        if (!span) return {};
        const ctx = span.spanContext();
        const traceName = options.project ? `projects/${options.project}/traces/${ctx.traceId}` : ctx.traceId;
        return {
          'logging.googleapis.com/trace': traceName,
          'logging.googleapis.com/spanId': ctx.spanId,
          'logging.googleapis.com/trace_sampled': (ctx.traceFlags & 1) === 1,
        };
      },
    },
    options.destination,
  );
}
