import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { PeriodicExportingMetricReader, ConsoleMetricExporter, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  service: string;
  exporter: 'none' | 'otlp' | 'console';
  endpoint?: string | undefined;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry traces and metrics. Off ('none') by default so a laptop run
 * exports nothing; production sets 'otlp' towards the collector.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (options.exporter === 'none') return { shutdown: async () => undefined };
  const base = options.endpoint?.replace(/\/$/, '');
  const traceExporter: SpanExporter =
    options.exporter === 'otlp' ? new OTLPTraceExporter(base ? { url: `${base}/v1/traces` } : {}) : new ConsoleSpanExporter();
  const metricExporter: PushMetricExporter =
    options.exporter === 'otlp' ? new OTLPMetricExporter(base ? { url: `${base}/v1/metrics` } : {}) : new ConsoleMetricExporter();
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service }),
    traceExporter,
    metricReaders: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 30_000 })],
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation(), new PgInstrumentation()],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
