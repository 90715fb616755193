import { SERVICES, SERVICE_LIST, SUBSCRIPTIONS, TOPICS, deadLetterTopic } from '@shop/contracts';
import { lookerStudioReportUrl, monitoringDashboards } from '@shop/dashboards';
import type { Environment } from '../src/config';
import { namesFor } from '../src/names';
import { ObservabilityStack } from '../src/stacks/observability';
import { environment, resourcesOf, synthesize, type Attributes, type Synthesized } from './support';

interface Threshold {
  filter: string;
  denominator_filter?: string;
  threshold_value: number;
  comparison: string;
  aggregations: Attributes[];
}

const conditionsOf = (policy: Attributes): Threshold[] =>
  (policy.conditions as Array<{ condition_threshold: Threshold }>).map((c) => c.condition_threshold);

/** Every alert policy whose conditions match a predicate. */
const alertsWhere = (synth: Synthesized, match: (c: Threshold) => boolean): Attributes[] =>
  resourcesOf(synth, 'google_monitoring_alert_policy')
    .map(([, p]) => p)
    .filter((p) => conditionsOf(p).some(match));

/** The only alert policy whose conditions match a predicate. */
function alertWhere(synth: Synthesized, description: string, match: (c: Threshold) => boolean): Attributes {
  const found = alertsWhere(synth, match);
  if (found.length !== 1) throw new Error(`expected one alert for ${description}, found ${found.length}`);
  return found[0]!;
}

const condition = (policy: Attributes): Threshold => conditionsOf(policy)[0]!;

/**
 * The stack's JSON with what @shop/dashboards renders left out: the tests above compare it with
 * the package's output, and its own tests own its content.
 */
function withoutDashboardContent(synth: Synthesized): Synthesized {
  const copy = JSON.parse(JSON.stringify(synth)) as Synthesized;
  for (const dashboard of Object.values(copy.resource?.google_monitoring_dashboard ?? {})) dashboard.dashboard_json = '<monitoringDashboards()>';
  const looker = copy.output?.looker_studio_report_url;
  if (looker) looker.value = '<lookerStudioReportUrl()>';
  return copy;
}

describe.each(['dev', 'prod'] as const)('observability stack (%s)', (envName) => {
  const env = environment(envName);
  const names = namesFor(env);
  const synth = synthesize(ObservabilityStack, env);
  const policies = resourcesOf(synth, 'google_monitoring_alert_policy').map(([, p]) => p);
  const metrics = resourcesOf(synth, 'google_logging_metric');

  it('has an email channel per configured address', () => {
    const channels = resourcesOf(synth, 'google_monitoring_notification_channel').map(([, c]) => c);
    expect(channels.map((c) => c.type)).toEqual(env.alerting.emails.map(() => 'email'));
    expect(channels.map((c) => (c.labels as Record<string, string>).email_address)).toEqual(env.alerting.emails);
  });

  it('notifies every channel from every alert, with a runbook and auto-close', () => {
    const channelRefs = resourcesOf(synth, 'google_monitoring_notification_channel').map(([id]) => `\${google_monitoring_notification_channel.${id}.id}`);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      expect(policy.notification_channels).toEqual(channelRefs);
      expect(policy.alert_strategy).toMatchObject({ auto_close: expect.stringMatching(/^\d+s$/) });
      expect(policy.documentation).toMatchObject({ mime_type: 'text/markdown', content: expect.stringContaining('### What it means') });
      expect((policy.documentation as Attributes).content).toContain('### First steps');
    }
  });

  it('alerts on the load balancer 5xx share and p95 latency of each public service', () => {
    for (const service of SERVICE_LIST.filter((s) => s.public)) {
      const backend = `resource.label.backend_target_name = "${names.prefix}-${service.name}"`;
      const errors = alertWhere(synth, `${service.name} 5xx`, (c) => c.filter.includes('https/request_count') && c.filter.includes(backend));
      expect(condition(errors)).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: env.alerting.errorRate });
      expect(condition(errors).filter).toContain('metric.label.response_code_class = 500');
      expect(condition(errors).denominator_filter).toContain(backend);
      expect(condition(errors).denominator_filter).not.toContain('response_code_class');
      const latency = alertWhere(synth, `${service.name} latency`, (c) => c.filter.includes('https/total_latencies') && c.filter.includes(backend));
      expect(condition(latency)).toMatchObject({ threshold_value: env.alerting.latencyP95Ms, aggregations: [expect.objectContaining({ cross_series_reducer: 'REDUCE_PERCENTILE_95' })] });
    }
  });

  it("alerts on each backend service's 5xx share and p95 latency from its access log", () => {
    for (const service of SERVICE_LIST.filter((s) => !s.public)) {
      const container = `resource.labels.container_name="${service.name}"`;
      const metricRef = (match: (filter: string) => boolean): string => {
        const found = metrics.filter(([, m]) => String(m.filter).includes(container) && match(String(m.filter)));
        expect(found).toHaveLength(1);
        return `logging.googleapis.com/user/\${google_logging_metric.${found[0]![0]}.name}`;
      };
      const errorsMetric = metricRef((f) => f.includes('httpRequest.status>=500'));
      expect(metrics.find(([, m]) => String(m.filter).includes(container) && String(m.filter).includes('httpRequest.status>=500'))?.[1].filter).toContain('resource.type="k8s_container"');
      const errors = alertWhere(synth, `${service.name} 5xx`, (c) => c.filter.includes(`"${errorsMetric}"`));
      expect(condition(errors)).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: env.alerting.errorRate, denominator_filter: expect.stringContaining('logging.googleapis.com/user/') });

      const latencyMetric = metrics.find(([, m]) => String(m.filter).includes(container) && (m.metric_descriptor as Attributes).value_type === 'DISTRIBUTION');
      expect(latencyMetric?.[1]).toMatchObject({ value_extractor: expect.stringContaining('httpRequest.latency'), metric_descriptor: { unit: 's' } });
      const latency = alertWhere(synth, `${service.name} latency`, (c) => c.filter.includes(`\${google_logging_metric.${latencyMetric?.[0]}.name}`));
      expect(condition(latency).threshold_value).toBe(env.alerting.latencyP95Ms / 1000);
    }
    // Alerts on a log-based metric fail until Monitoring knows it, so its creation waits.
    for (const [, metric] of metrics) expect(metric.provisioner).toEqual([{ 'local-exec': { command: expect.stringMatching(/^sleep \d+$/) } }]);
    // Every service in the contracts is covered one way or the other.
    expect(policies.filter((p) => String(p.display_name).includes(': 5xx above'))).toHaveLength(SERVICE_LIST.length);
    expect(policies.filter((p) => String(p.display_name).includes(': p95 latency above'))).toHaveLength(SERVICE_LIST.length);
  });

  it('alerts when any contract subscription holds an old message', () => {
    const backlog = alertWhere(synth, 'backlog', (c) => c.filter.includes('subscription/oldest_unacked_message_age'));
    expect(condition(backlog).threshold_value).toBe(env.alerting.oldestUnackedSeconds);
    for (const subscription of SUBSCRIPTIONS) expect(condition(backlog).filter).toContain(`"${subscription.name}"`);
    expect(condition(backlog).aggregations[0]).toMatchObject({ group_by_fields: ['resource.label.subscription_id'] });
  });

  it('alerts on any message in each dead-letter hold subscription', () => {
    for (const topic of Object.values(TOPICS)) {
      const hold = `${deadLetterTopic(topic)}.hold`;
      const alert = alertWhere(synth, `${topic} dead letters`, (c) => c.filter.includes('subscription/num_undelivered_messages') && c.filter.includes(`"${hold}"`));
      expect(condition(alert)).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0 });
    }
  });

  it('alerts on the analytics job lag of the configured runner', () => {
    const metric = env.streaming.runner === 'dataflow' ? 'dataflow.googleapis.com/job/data_watermark_age' : 'workload.googleapis.com/analytics.watermark_delay_seconds';
    const lag = alertWhere(synth, 'job lag', (c) => c.filter.includes(metric));
    expect(condition(lag).threshold_value).toBe(env.alerting.jobLagSeconds);
    if (env.streaming.runner === 'dataflow') expect(condition(lag).filter).toContain(`"${names.streamingJob}"`);
  });

  it('alerts on Cloud SQL CPU, replica lag when there is a replica, and Redis memory', () => {
    const cpu = alertWhere(synth, 'sql cpu', (c) => c.filter.includes('cloudsql.googleapis.com/database/cpu/utilization'));
    expect(condition(cpu)).toMatchObject({ threshold_value: 0.8 });
    expect(condition(cpu).filter).toContain(`"${env.project}:${names.sqlInstance}"`);
    const replicaLag = alertsWhere(synth, (c) => c.filter.includes('cloudsql.googleapis.com/database/replication/replica_lag'));
    expect(replicaLag).toHaveLength(env.database.readReplica ? 1 : 0);
    if (env.database.readReplica) expect(condition(replicaLag[0]!).filter).toContain(`"${env.project}:${names.sqlReplica}"`);
    const redis = alertWhere(synth, 'redis memory', (c) => c.filter.includes('redis.googleapis.com/stats/memory/usage_ratio'));
    expect(condition(redis)).toMatchObject({ threshold_value: 0.8 });
    expect(condition(redis).filter).toContain(`instances/${names.redis}"`);
  });

  it('checks https://<domain>/readyz and alerts when it fails', () => {
    const [[id, check] = []] = resourcesOf(synth, 'google_monitoring_uptime_check_config');
    expect(check).toMatchObject({
      monitored_resource: { type: 'uptime_url', labels: { host: env.domain, project_id: env.project } },
      http_check: { path: SERVICES.storefront.probes.ready, port: 443, use_ssl: true, validate_ssl: true },
    });
    alertWhere(synth, 'uptime', (c) => c.filter.includes(`\${google_monitoring_uptime_check_config.${id}.uptime_check_id}`));
  });

  it('creates one dashboard per Monitoring dashboard definition', () => {
    const expected = monitoringDashboards({
      env: env.env,
      clusters: [names.cluster('frontend'), names.cluster('backend')],
      streamingJob: env.streaming.runner === 'dataflow' ? names.streamingJob : null,
    });
    const dashboards = resourcesOf(synth, 'google_monitoring_dashboard').map(([id, d]) => [id, JSON.parse(String(d.dashboard_json)) as unknown]);
    expect(Object.fromEntries(dashboards)).toEqual(Object.fromEntries(expected.map((d) => [`dashboard-${d.id}`, d.json])));
    expect(dashboards).toHaveLength(expected.length);
  });

  it('outputs the Looker Studio report URL, the clusters and the data stores', () => {
    const url = lookerStudioReportUrl({ project: env.project, dataset: names.dataset, reportName: env.lookerStudio.reportName, templateReportId: env.lookerStudio.templateReportId });
    expect(synth.output?.looker_studio_report_url?.value).toBe(url);
    expect(synth.output?.frontend_cluster?.value).toBe(names.cluster('frontend'));
    expect(synth.output?.backend_cluster?.value).toBe(names.cluster('backend'));
    expect(synth.output?.sql_connection_name?.value).toBe(`${env.project}:${env.region}:${names.sqlInstance}`);
    expect(synth.output?.redis_instance?.value).toBe(names.redis);
  });

  it('matches the snapshot', () => {
    expect(withoutDashboardContent(synth)).toMatchSnapshot();
  });
});

it('alerts every configured address and follows the runner switch', () => {
  const prod = environment('prod');
  const env: Environment = {
    ...prod,
    alerting: { ...prod.alerting, emails: ['a@shop.example.com', 'b@shop.example.com'] },
    streaming: { ...prod.streaming, runner: 'gke' },
  };
  const synth = synthesize(ObservabilityStack, env);
  expect(resourcesOf(synth, 'google_monitoring_notification_channel')).toHaveLength(2);
  for (const [, policy] of resourcesOf(synth, 'google_monitoring_alert_policy')) expect(policy.notification_channels).toHaveLength(2);
  expect(alertsWhere(synth, (c) => c.filter.includes('dataflow.googleapis.com'))).toEqual([]);
  alertWhere(synth, 'runner lag', (c) => c.filter.includes('workload.googleapis.com/analytics.watermark_delay_seconds'));
});
