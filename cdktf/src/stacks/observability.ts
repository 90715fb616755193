import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { KUBERNETES_NAMESPACE, SERVICES, SERVICE_LIST, SUBSCRIPTIONS, TOPICS, type ServiceSpec, type TopicName } from '@shop/contracts';
import { ANALYTICS_RUNNER_METRICS, lookerStudioReportUrl, monitoringDashboards } from '@shop/dashboards';
import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import {
  MonitoringAlertPolicy,
  type MonitoringAlertPolicyConditions,
  type MonitoringAlertPolicyConditionsConditionThresholdAggregations,
} from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { MonitoringUptimeCheckConfig } from '@cdktf/provider-google/lib/monitoring-uptime-check-config';
import { PlatformStack, type StackProps } from '../stack';
import { deadLetterHold } from './data';
import { backendServiceName } from './edge';

/** Window a rate or percentile is computed over, and how long it must stay bad before paging. */
const WINDOW = '300s';
const SUSTAINED = '300s';
/** Incidents close themselves this long after the condition clears. */
const AUTO_CLOSE = '1800s';

const CPU_UTILIZATION = 0.8;
const REDIS_MEMORY_RATIO = 0.8;
/** Observed delay before Monitoring accepts alerts on a new log-based metric is well under this. */
const METRIC_PROPAGATION_SECONDS = 120;
/** Replica reads are for reports that tolerate a minute of staleness, not more. */
const REPLICA_LAG_SECONDS = 60;

type Severity = 'CRITICAL' | 'ERROR' | 'WARNING';
type LabelValue = string | number | readonly string[];

const quote = (value: string): string => JSON.stringify(value);

/** A Monitoring filter: `key = value` clauses joined by AND; a list becomes one_of(...). */
function monitoringFilter(clauses: Record<string, LabelValue>): string {
  return Object.entries(clauses)
    .map(([key, value]) => {
      if (typeof value === 'number') return `${key} = ${value}`;
      if (typeof value === 'string') return `${key} = ${quote(value)}`;
      return `${key} = one_of(${value.map(quote).join(', ')})`;
    })
    .join(' AND ');
}

const aggregation = (
  perSeriesAligner: string,
  crossSeriesReducer: string,
  groupByFields: string[] = [],
  alignmentPeriod = WINDOW,
): MonitoringAlertPolicyConditionsConditionThresholdAggregations => ({ alignmentPeriod, perSeriesAligner, crossSeriesReducer, groupByFields });

interface Threshold {
  filter: string;
  /** Makes the condition a ratio of the filter over this denominator. */
  denominatorFilter?: string;
  aggregation: MonitoringAlertPolicyConditionsConditionThresholdAggregations;
  threshold: number;
  duration?: string;
}

const above = (displayName: string, t: Threshold): MonitoringAlertPolicyConditions => ({
  displayName,
  conditionThreshold: {
    filter: t.filter,
    aggregations: [t.aggregation],
    ...(t.denominatorFilter === undefined ? {} : { denominatorFilter: t.denominatorFilter, denominatorAggregations: [t.aggregation] }),
    comparison: 'COMPARISON_GT',
    thresholdValue: t.threshold,
    duration: t.duration ?? SUSTAINED,
    trigger: { count: 1 },
  },
});

/** Markdown shown in the notification and the incident: what it means, then what to do first. */
const runbook = (meaning: string, steps: readonly string[]): string =>
  `### What it means\n${meaning}\n\n### First steps\n${steps.map((step, i) => `${i + 1}. ${step}`).join('\n')}\n`;

const percent = (ratio: number): string => `${Math.round(ratio * 1000) / 10}%`;

/**
 * Notification channels, alert policies with runbooks, the storefront uptime check, the
 * Monitoring dashboards and the Looker Studio report link, plus the names an operator looks for first.
 */
export class ObservabilityStack extends PlatformStack {
  private readonly channels: string[];

  constructor(scope: Construct, props: StackProps) {
    super(scope, 'observability', props);
    const { project, region } = this.env;
    const names = this.names;

    this.channels = this.env.alerting.emails.map(
      (email) =>
        new MonitoringNotificationChannel(this, `email-${email.replace(/[^A-Za-z0-9]/g, '-')}`, {
          displayName: `Platform on-call (${email})`,
          type: 'email',
          labels: { email_address: email },
        }).id,
    );

    for (const service of SERVICE_LIST) {
      if (service.public) this.loadBalancerAlerts(service);
      else this.workloadAlerts(service);
    }
    this.messagingAlerts();
    this.jobLagAlert();
    this.dataStoreAlerts();
    this.uptime();

    const dashboards = monitoringDashboards({
      env: this.env.env,
      clusters: [names.cluster('frontend'), names.cluster('backend')],
      streamingJob: this.env.streaming.runner === 'dataflow' ? names.streamingJob : null,
    });
    for (const { id, json } of dashboards) new MonitoringDashboard(this, `dashboard-${id}`, { dashboardJson: JSON.stringify(json) });

    new TerraformOutput(this, 'looker_studio_report_url', {
      description: 'Opens Looker Studio with the analyst views as data sources; save the report to keep it',
      value: lookerStudioReportUrl({ project, dataset: names.dataset, reportName: this.env.lookerStudio.reportName, templateReportId: this.env.lookerStudio.templateReportId }),
    });
    new TerraformOutput(this, 'frontend_cluster', { description: 'GKE cluster of the shopper-facing services', value: names.cluster('frontend') });
    new TerraformOutput(this, 'backend_cluster', { description: 'GKE cluster of the backend services and the analytics runner', value: names.cluster('backend') });
    new TerraformOutput(this, 'sql_connection_name', { description: 'Cloud SQL connection name', value: `${project}:${region}:${names.sqlInstance}` });
    new TerraformOutput(this, 'redis_instance', { description: 'Memorystore instance', value: names.redis });
  }

  private alert(id: string, spec: { displayName: string; severity: Severity; conditions: MonitoringAlertPolicyConditions[]; documentation: string }): MonitoringAlertPolicy {
    return new MonitoringAlertPolicy(this, `alert-${id}`, {
      displayName: `[${this.env.env}] ${spec.displayName}`,
      severity: spec.severity,
      combiner: 'OR',
      conditions: spec.conditions,
      notificationChannels: this.channels,
      alertStrategy: { autoClose: AUTO_CLOSE },
      documentation: { mimeType: 'text/markdown', subject: `[${this.env.env}] ${spec.displayName}`, content: spec.documentation },
    });
  }

  /** Public services are measured where shoppers meet them: at the load balancer. */
  private loadBalancerAlerts(service: ServiceSpec): void {
    const { errorRate, latencyP95Ms } = this.env.alerting;
    const lb = { 'resource.type': 'https_lb_rule', 'resource.label.backend_target_name': backendServiceName(this.names, service.name) };
    const requests = { 'metric.type': 'loadbalancing.googleapis.com/https/request_count', ...lb };
    this.alert(`${service.name}-errors`, {
      displayName: `${service.name}: 5xx above ${percent(errorRate)}`,
      severity: 'CRITICAL',
      conditions: [
        above(`5xx share of ${service.name} requests at the load balancer`, {
          filter: monitoringFilter({ ...requests, 'metric.label.response_code_class': 500 }),
          denominatorFilter: monitoringFilter(requests),
          aggregation: aggregation('ALIGN_RATE', 'REDUCE_SUM'),
          threshold: errorRate,
        }),
      ],
      documentation: runbook(
        `More than ${percent(errorRate)} of requests the load balancer sent to **${service.name}** over 5 minutes ended in a 5xx (502/503 from the load balancer itself mean no healthy endpoint).`,
        [
          `Load balancer logs: \`resource.type="http_load_balancer" AND httpRequest.status>=500 AND resource.labels.backend_service_name="${backendServiceName(this.names, service.name)}"\`; \`jsonPayload.statusDetails\` says whether the backend or the proxy failed.`,
          `Pods: \`kubectl -n ${KUBERNETES_NAMESPACE} describe deployment ${service.name}\` on ${this.names.cluster(service.cluster)}; look for restarts and failing readiness.`,
          `Error logs: \`resource.labels.container_name="${service.name}" AND severity>=ERROR\`.`,
          'If a deploy just rolled out, roll it back in ArgoCD.',
        ],
      ),
    });
    this.alert(`${service.name}-latency`, {
      displayName: `${service.name}: p95 latency above ${latencyP95Ms} ms`,
      severity: 'ERROR',
      conditions: [
        above(`p95 total latency of ${service.name} at the load balancer`, {
          filter: monitoringFilter({ 'metric.type': 'loadbalancing.googleapis.com/https/total_latencies', ...lb }),
          aggregation: aggregation('ALIGN_DELTA', 'REDUCE_PERCENTILE_95'),
          threshold: latencyP95Ms,
        }),
      ],
      documentation: runbook(`The 95th percentile of **${service.name}** request latency at the load balancer stayed above ${latencyP95Ms} ms for 5 minutes.`, [
        'Compare total and backend latency on the services dashboard: a gap points at clients or the network, backend latency at the service.',
        `Check CPU throttling and the autoscaler of ${service.name}, then Memorystore and the backend services it calls.`,
        'Check the CDN hit ratio: a cache bust sends every request to the origin.',
      ]),
    });
  }

  /**
   * Backend services are only reached inside the clusters, so their access logs (one line per
   * request in Cloud Logging's httpRequest shape) are counted into log-based metrics.
   */
  private workloadAlerts(service: ServiceSpec): void {
    const { errorRate, latencyP95Ms } = this.env.alerting;
    const container = [
      'resource.type="k8s_container"',
      `resource.labels.cluster_name="${this.names.cluster(service.cluster)}"`,
      `resource.labels.namespace_name="${KUBERNETES_NAMESPACE}"`,
      `resource.labels.container_name="${service.name}"`,
    ].join(' AND ');
    const logMetric = (suffix: string, description: string, filter: string, distribution = false): LoggingMetric =>
      new LoggingMetric(this, `${service.name}-${suffix}-metric`, {
        name: `${this.names.prefix}-${service.name}-${suffix}`,
        description,
        filter: `${container} AND ${filter}`,
        // Monitoring only knows a new log-based metric minutes after Logging creates it, and refuses
        // alerts on it until then; waiting on creation only keeps the first apply from failing.
        provisioners: [{ type: 'local-exec', command: `sleep ${METRIC_PROPAGATION_SECONDS}` }],
        ...(distribution
          ? {
              metricDescriptor: { metricKind: 'DELTA', valueType: 'DISTRIBUTION', unit: 's' },
              valueExtractor: 'REGEXP_EXTRACT(httpRequest.latency, "([0-9.]+)s")',
              // 1 ms to about 3 minutes.
              bucketOptions: { exponentialBuckets: { numFiniteBuckets: 30, growthFactor: 1.5, scale: 0.001 } },
            }
          : { metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1' } }),
      });
    const requests = logMetric('http-requests', `Requests ${service.name} answered`, 'httpRequest.status>=100');
    const errors = logMetric('http-5xx', `Requests ${service.name} answered with a 5xx`, 'httpRequest.status>=500');
    const latency = logMetric('http-latency', `Latency of requests ${service.name} answered`, 'httpRequest.status>=100', true);
    const userMetric = (metric: LoggingMetric) => ({ 'metric.type': `logging.googleapis.com/user/${metric.name}`, 'resource.type': 'k8s_container' });

    this.alert(`${service.name}-errors`, {
      displayName: `${service.name}: 5xx above ${percent(errorRate)}`,
      severity: 'CRITICAL',
      conditions: [
        above(`5xx share of ${service.name} access-log lines`, {
          filter: monitoringFilter(userMetric(errors)),
          denominatorFilter: monitoringFilter(userMetric(requests)),
          aggregation: aggregation('ALIGN_RATE', 'REDUCE_SUM'),
          threshold: errorRate,
        }),
      ],
      documentation: runbook(`More than ${percent(errorRate)} of the requests **${service.name}** answered over 5 minutes were 5xx.`, [
        `Error logs: \`${container} AND severity>=ERROR\`; problem+json bodies name the failing dependency.`,
        `Pods: \`kubectl -n ${KUBERNETES_NAMESPACE} describe deployment ${service.name}\` on ${this.names.cluster(service.cluster)}.`,
        service.database === null ? 'Check Memorystore and the services it calls.' : `Check Cloud SQL (${this.names.sqlInstance}, database ${service.database}): connections, CPU, locks.`,
        'If a deploy just rolled out, roll it back in ArgoCD.',
      ]),
    });
    this.alert(`${service.name}-latency`, {
      displayName: `${service.name}: p95 latency above ${latencyP95Ms} ms`,
      severity: 'ERROR',
      conditions: [
        above(`p95 latency of ${service.name} from its access log`, {
          filter: monitoringFilter(userMetric(latency)),
          aggregation: aggregation('ALIGN_DELTA', 'REDUCE_PERCENTILE_95'),
          threshold: latencyP95Ms / 1000,
        }),
      ],
      documentation: runbook(`The 95th percentile of **${service.name}** request latency stayed above ${latencyP95Ms} ms for 5 minutes.`, [
        `Traces of ${service.name} in Cloud Trace show whether SQL, Redis or a downstream call takes the time.`,
        service.database === null ? 'Check Memorystore latency and evictions.' : `Query insights of ${this.names.sqlInstance} list the slow statements of database ${service.database}.`,
        `Check CPU throttling and the autoscaler of ${service.name}.`,
      ]),
    });
  }

  /** Backlog on every contract subscription, and any message in a dead-letter hold. */
  private messagingAlerts(): void {
    const { oldestUnackedSeconds } = this.env.alerting;
    const subscription = (ids: string | readonly string[]) => ({ 'resource.type': 'pubsub_subscription', 'resource.label.subscription_id': ids });
    this.alert('pubsub-backlog', {
      displayName: `Pub/Sub: oldest unacked message older than ${oldestUnackedSeconds} s`,
      severity: 'ERROR',
      conditions: [
        above('Oldest unacked message age per subscription', {
          filter: monitoringFilter({ 'metric.type': 'pubsub.googleapis.com/subscription/oldest_unacked_message_age', ...subscription(SUBSCRIPTIONS.map((s) => s.name)) }),
          aggregation: aggregation('ALIGN_MAX', 'REDUCE_MAX', ['resource.label.subscription_id'], '60s'),
          threshold: oldestUnackedSeconds,
          duration: '120s',
        }),
      ],
      documentation: runbook(`A subscription (named in the incident's \`subscription_id\` label) holds a message older than ${oldestUnackedSeconds} s: its consumer is down, stuck or too slow.`, [
        'Subscriptions are named `<consumer>.<topic>[.shard-N]`: find the consumer from the name (`bigquery.*` ones are written by Pub/Sub into BigQuery).',
        'Check the consumer pods (or the Dataflow job) and their logs for errors and restarts.',
        `For a BigQuery subscription, check the subscription's state and the ${this.names.dataset} table schema.`,
        'Messages are kept 7 days; consumers deduplicate by event id, so restarting a consumer is safe.',
      ]),
    });

    for (const topic of Object.values(TOPICS)) {
      const consumers = SUBSCRIPTIONS.filter((s) => s.topic === topic).map((s) => s.name);
      this.alert(`dead-letters-${topic}`, {
        displayName: `Pub/Sub: dead letters from ${topic}`,
        severity: 'WARNING',
        conditions: [
          above(`Messages in ${deadLetterHold(topic)}`, {
            filter: monitoringFilter({ 'metric.type': 'pubsub.googleapis.com/subscription/num_undelivered_messages', ...subscription(deadLetterHold(topic)) }),
            aggregation: aggregation('ALIGN_MAX', 'REDUCE_MAX', [], '60s'),
            threshold: 0,
            duration: '0s',
          }),
        ],
        documentation: runbook(deadLetterMeaning(topic), [
          `Pull a few without acking: \`gcloud pubsub subscriptions pull ${deadLetterHold(topic)} --limit=5\`; the \`CloudPubSubDeadLetterSourceSubscription\` attribute names the subscription that gave up (one of ${consumers.map((c) => `\`${c}\``).join(', ')}).`,
          "Find the consumer's error for that event id in its logs; fix the consumer or the event.",
          'Replay the fixed messages to the topic, then acknowledge them in the hold subscription.',
        ]),
      });
    }
  }

  private jobLagAlert(): void {
    const { jobLagSeconds } = this.env.alerting;
    const dataflow = this.env.streaming.runner === 'dataflow';
    const filter = dataflow
      ? monitoringFilter({ 'metric.type': 'dataflow.googleapis.com/job/data_watermark_age', 'resource.type': 'dataflow_job', 'resource.label.job_name': this.names.streamingJob })
      : monitoringFilter({ 'metric.type': ANALYTICS_RUNNER_METRICS.watermarkDelay.type });
    this.alert('analytics-lag', {
      displayName: `Analytics: watermark more than ${jobLagSeconds} s behind`,
      severity: 'ERROR',
      conditions: [above(dataflow ? `Data watermark age of ${this.names.streamingJob}` : 'Watermark delay of the analytics runner', { filter, aggregation: aggregation('ALIGN_MAX', 'REDUCE_MAX', [], '60s'), threshold: jobLagSeconds })],
      documentation: runbook(`The analytics job's watermark is more than ${jobLagSeconds} s behind real time: dashboards and Looker Studio reports show stale aggregates.`, [
        dataflow
          ? `Open ${this.names.streamingJob} in the Dataflow console: look for failing stages, worker errors and whether autoscaling hit ${this.env.streaming.maxWorkers} workers.`
          : `Check the analytics StatefulSet on ${this.names.cluster('backend')}: one replica per shard must be running and ready.`,
        'Check the Pub/Sub backlog of the `analytics.*` subscriptions: a single lagging shard holds the watermark back.',
        'Check the dead_letter table for a burst of rejected events.',
      ]),
    });
  }

  private dataStoreAlerts(): void {
    const { project, region } = this.env;
    const names = this.names;
    const replica = this.env.database.readReplica;
    const databases = [`${project}:${names.sqlInstance}`, ...(replica ? [`${project}:${names.sqlReplica}`] : [])];
    const sql = (ids: string | readonly string[]) => ({ 'resource.type': 'cloudsql_database', 'resource.label.database_id': ids });

    this.alert('sql-cpu', {
      displayName: `Cloud SQL: CPU above ${percent(CPU_UTILIZATION)}`,
      severity: 'ERROR',
      conditions: [
        above('CPU utilization per instance', {
          filter: monitoringFilter({ 'metric.type': 'cloudsql.googleapis.com/database/cpu/utilization', ...sql(databases) }),
          aggregation: aggregation('ALIGN_MEAN', 'REDUCE_MAX', ['resource.label.database_id']),
          threshold: CPU_UTILIZATION,
          duration: '600s',
        }),
      ],
      documentation: runbook(`A Cloud SQL instance used more than ${percent(CPU_UTILIZATION)} CPU for 10 minutes; latency rises and failover takes longer.`, [
        'Query insights: find the statements and the database (catalog, inventory, orders) taking the CPU.',
        'Look for a missing index or a runaway batch (imports, housekeeping) started around the same time.',
        'If the load is legitimate, raise the tier in the environment config and apply the data stack.',
      ]),
    });
    if (replica) {
      this.alert('sql-replica-lag', {
        displayName: `Cloud SQL: replica more than ${REPLICA_LAG_SECONDS} s behind`,
        severity: 'WARNING',
        conditions: [
          above(`Replication lag of ${names.sqlReplica}`, {
            filter: monitoringFilter({ 'metric.type': 'cloudsql.googleapis.com/database/replication/replica_lag', ...sql(`${project}:${names.sqlReplica}`) }),
            aggregation: aggregation('ALIGN_MAX', 'REDUCE_MAX', [], '60s'),
            threshold: REPLICA_LAG_SECONDS,
          }),
        ],
        documentation: runbook(`The read replica ${names.sqlReplica} is more than ${REPLICA_LAG_SECONDS} s behind the primary: reads from it are stale.`, [
          'Check write volume on the primary and CPU and disk I/O on the replica.',
          'Long-running queries on the replica can hold replay back: find them in its query insights.',
        ]),
      });
    }
    this.alert('redis-memory', {
      displayName: `Memorystore: memory above ${percent(REDIS_MEMORY_RATIO)}`,
      severity: 'WARNING',
      conditions: [
        above(`Memory usage ratio of ${names.redis}`, {
          filter: monitoringFilter({
            'metric.type': 'redis.googleapis.com/stats/memory/usage_ratio',
            'resource.type': 'redis_instance',
            'resource.label.instance_id': `projects/${project}/locations/${region}/instances/${names.redis}`,
          }),
          aggregation: aggregation('ALIGN_MEAN', 'REDUCE_MAX'),
          threshold: REDIS_MEMORY_RATIO,
        }),
      ],
      documentation: runbook(`${names.redis} uses more than ${percent(REDIS_MEMORY_RATIO)} of its memory: evictions drop cached pages, rate-limit counters and cart sessions.`, [
        'Check evicted keys and the key count on the Memorystore page.',
        'Look for keys written without a TTL (cache entries must all expire).',
        'If the working set grew legitimately, raise redis.memoryGb in the environment config and apply the data stack.',
      ]),
    });
  }

  /** Shoppers' view: the storefront's readiness through DNS, TLS, the load balancer and Armor. */
  private uptime(): void {
    const { domain, project } = this.env;
    const path = SERVICES.storefront.probes.ready;
    const check = new MonitoringUptimeCheckConfig(this, 'storefront-uptime', {
      displayName: `[${this.env.env}] https://${domain}${path}`,
      monitoredResource: { type: 'uptime_url', labels: { project_id: project, host: domain } },
      httpCheck: { path, port: 443, useSsl: true, validateSsl: true, requestMethod: 'GET', acceptedResponseStatusCodes: [{ statusClass: 'STATUS_CLASS_2XX' }] },
      period: '60s',
      timeout: '10s',
      checkerType: 'STATIC_IP_CHECKERS',
    });
    this.alert('storefront-uptime', {
      displayName: `Storefront: https://${domain}${path} failing`,
      severity: 'CRITICAL',
      conditions: [
        above('Uptime checker locations failing', {
          filter: monitoringFilter({ 'metric.type': 'monitoring.googleapis.com/uptime_check/check_passed', 'resource.type': 'uptime_url', 'metric.label.check_id': check.uptimeCheckId }),
          aggregation: aggregation('ALIGN_NEXT_OLDER', 'REDUCE_COUNT_FALSE', ['resource.label.host'], '300s'),
          // More than one location failing rules out one checker's own network trouble.
          threshold: 1,
          duration: '60s',
        }),
      ],
      documentation: runbook(`https://${domain}${path} fails from more than one uptime checker location: shoppers cannot reach the storefront, or it is not ready.`, [
        `\`curl -sv https://${domain}${path}\`: a TLS error points at the managed certificate or DNS; 403/429 at Cloud Armor; 502/503 at the backends.`,
        `Check the storefront pods on ${this.names.cluster('frontend')} and what its /readyz reports (Redis, config).`,
        'Check the Cloud Armor policy logs if it was recently switched to enforce.',
      ]),
    });
  }
}

function deadLetterMeaning(topic: TopicName): string {
  return `Messages from **${topic}** were delivered the maximum number of times without being acknowledged and now wait in \`${deadLetterHold(topic)}\`. Their consumer skipped them; whatever they carry is missing downstream until they are replayed.`;
}
