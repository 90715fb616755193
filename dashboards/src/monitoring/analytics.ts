import { ANALYTICS_JOB, SUBSCRIPTIONS } from '@shop/contracts';
import type { MonitoringScope } from '../types';
import { charts, dashboard, header, type Band } from './layout';
import { containerCharts } from './services';
import { aggregate, lineChart, markdown, metricFilter, scorecard, type Aggregation, type Series, type Widget } from './widgets';

export interface RunnerMetric {
  /** Cloud Monitoring metric type; the OpenTelemetry instrument is named after the part past the slash. */
  type: string;
  instrument: 'gauge' | 'counter';
  unit: string;
  description: string;
}

/**
 * Metrics the Node streaming runner must export through OpenTelemetry (Cloud Monitoring's
 * `workload.googleapis.com/` prefix); the analytics dashboard charts them when the job runs on GKE.
 */
export const ANALYTICS_RUNNER_METRICS = {
  watermarkDelay: {
    type: 'workload.googleapis.com/analytics.watermark_delay_seconds',
    instrument: 'gauge',
    unit: 's',
    description: 'Wall-clock time minus the runner\'s event-time watermark, per replica',
  },
  eventsPerSecond: {
    type: 'workload.googleapis.com/analytics.events_per_second',
    instrument: 'gauge',
    unit: '1/s',
    description: 'Events read from Pub/Sub per second, per replica',
  },
  lateEvents: {
    type: 'workload.googleapis.com/analytics.late_events',
    instrument: 'counter',
    unit: '1',
    description: 'Events behind the watermark but within the allowed lateness (they update a LATE pane)',
  },
  deadLetteredEvents: {
    type: 'workload.googleapis.com/analytics.dead_lettered_events',
    instrument: 'counter',
    unit: '1',
    description: 'Events written to the dead_letter table: invalid, or later than the allowed lateness',
  },
  backlog: {
    type: 'workload.googleapis.com/analytics.backlog',
    instrument: 'gauge',
    unit: '1',
    description: 'Messages received and not yet acknowledged (waiting for their pane to commit), per replica',
  },
} as const satisfies Record<string, RunnerMetric>;

const series = (metricType: string, aggregation: Aggregation, labels: Record<string, string> = {}): Series => ({
  filter: metricFilter(metricType, labels),
  aggregation,
});

function dataflowBands(jobName: string): Band[] {
  const job = { 'resource.type': 'dataflow_job', 'resource.labels.job_name': jobName };
  const watermarkAge = series('dataflow.googleapis.com/job/data_watermark_age', aggregate('ALIGN_MAX', 'REDUCE_MAX'), job);
  return [
    charts([
      scorecard('Data watermark age now (s)', watermarkAge),
      lineChart('Data watermark age', 's', [watermarkAge]),
      lineChart('System lag (oldest unprocessed element)', 's', [
        series('dataflow.googleapis.com/job/system_lag', aggregate('ALIGN_MAX', 'REDUCE_MAX'), job),
      ]),
      lineChart('Worker vCPUs', 'vCPUs', [series('dataflow.googleapis.com/job/current_num_vcpus', aggregate('ALIGN_MEAN', 'REDUCE_SUM'), job)]),
    ]),
  ];
}

function gkeRunnerBands(scope: MonitoringScope): Band[] {
  const m = ANALYTICS_RUNNER_METRICS;
  const watermarkDelay = series(m.watermarkDelay.type, aggregate('ALIGN_MAX', 'REDUCE_MAX'));
  return [
    charts([
      scorecard('Watermark delay now, slowest replica (s)', watermarkDelay),
      lineChart('Watermark delay, slowest replica', 's', [watermarkDelay]),
      lineChart('Events read/s', 'events/s', [series(m.eventsPerSecond.type, aggregate('ALIGN_MEAN', 'REDUCE_SUM'))]),
      lineChart('Late events per minute', 'events', [series(m.lateEvents.type, aggregate('ALIGN_DELTA', 'REDUCE_SUM'))], 'STACKED_BAR'),
      lineChart('Dead-lettered events per minute', 'events', [series(m.deadLetteredEvents.type, aggregate('ALIGN_DELTA', 'REDUCE_SUM'))], 'STACKED_BAR'),
      lineChart('Messages held until their pane commits', 'messages', [series(m.backlog.type, aggregate('ALIGN_MAX', 'REDUCE_SUM'))]),
    ]),
    charts(containerCharts(ANALYTICS_JOB.name, scope.clusters)),
  ];
}

/** Backlog of the subscriptions the job reads, whichever runner pulls them. */
function jobSubscriptionCharts(): Widget[] {
  const where = {
    'resource.type': 'pubsub_subscription',
    'resource.labels.subscription_id': SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name).map((s) => s.name),
  };
  const perSubscription = ['resource.label.subscription_id'];
  return [
    lineChart('Oldest unacked event per subscription', 's', [
      {
        filter: metricFilter('pubsub.googleapis.com/subscription/oldest_unacked_message_age', where),
        aggregation: aggregate('ALIGN_MAX', 'REDUCE_MAX', perSubscription),
      },
    ]),
    lineChart('Undelivered events per subscription', 'messages', [
      {
        filter: metricFilter('pubsub.googleapis.com/subscription/num_undelivered_messages', where),
        aggregation: aggregate('ALIGN_MAX', 'REDUCE_SUM', perSubscription),
      },
    ]),
  ];
}

/** How far behind the streaming job is: Dataflow's job metrics, or the Node runner's own. */
export function analyticsDashboard(scope: MonitoringScope): Record<string, unknown> {
  const intro =
    scope.streamingJob === null
      ? markdown(
          'Analytics job on GKE',
          `The Node streaming runner (\`${ANALYTICS_JOB.name}\`, one replica per shard) and the metrics it exports. ` +
            'Watermark delay is how stale the newest final panes are.',
        )
      : markdown(
          `Analytics job on Dataflow: ${scope.streamingJob}`,
          'Data watermark age is how stale the newest final panes are; system lag is how long the oldest element has waited.',
        );
  const runner = scope.streamingJob === null ? gkeRunnerBands(scope) : dataflowBands(scope.streamingJob);
  return dashboard(`Shop analytics job (${scope.env})`, [header(intro), ...runner, charts(jobSubscriptionCharts())]);
}
