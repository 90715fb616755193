import { metrics, type Meter } from '@opentelemetry/api';

/** Instrument names; Cloud Monitoring shows them as workload.googleapis.com/<name> (dashboards' ANALYTICS_RUNNER_METRICS). */
export const RUNNER_METRIC_NAMES = {
  watermarkDelay: 'analytics.watermark_delay_seconds',
  eventsPerSecond: 'analytics.events_per_second',
  lateEvents: 'analytics.late_events',
  deadLetteredEvents: 'analytics.dead_lettered_events',
  backlog: 'analytics.backlog',
} as const;

/** What the gauges read from a shard when the exporter collects. */
export interface ShardGauges {
  shard: number;
  watermarkDelaySeconds: number | null;
  eventsPerSecond: number;
  backlog: number;
}

export interface RunnerMetrics {
  late(shard: number, count: number): void;
  deadLettered(shard: number, count: number): void;
}

/** The runner's OpenTelemetry instruments on the given meter (the global one the kit's telemetry sets up by default). */
export function createRunnerMetrics(gauges: () => readonly ShardGauges[], meter: Meter = metrics.getMeter('analytics')): RunnerMetrics {
  const late = meter.createCounter(RUNNER_METRIC_NAMES.lateEvents, { unit: '1', description: 'Events behind the watermark but within the allowed lateness' });
  const dead = meter.createCounter(RUNNER_METRIC_NAMES.deadLetteredEvents, { unit: '1', description: 'Events written to dead_letter: invalid, or later than the allowed lateness' });
  const delay = meter.createObservableGauge(RUNNER_METRIC_NAMES.watermarkDelay, { unit: 's', description: 'Wall-clock time minus the event-time watermark' });
  const rate = meter.createObservableGauge(RUNNER_METRIC_NAMES.eventsPerSecond, { unit: '1/s', description: 'Events read from Pub/Sub per second' });
  const backlog = meter.createObservableGauge(RUNNER_METRIC_NAMES.backlog, { unit: '1', description: 'Messages received and not yet acknowledged' });
  meter.addBatchObservableCallback(
    (result) => {
      for (const g of gauges()) {
        const attributes = { shard: String(g.shard) };
        if (g.watermarkDelaySeconds !== null) result.observe(delay, g.watermarkDelaySeconds, attributes);
        result.observe(rate, g.eventsPerSecond, attributes);
        result.observe(backlog, g.backlog, attributes);
      }
    },
    [delay, rate, backlog],
  );
  return {
    late: (shard, count) => late.add(count, { shard: String(shard) }),
    deadLettered: (shard, count) => dead.add(count, { shard: String(shard) }),
  };
}
