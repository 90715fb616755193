import { ANALYTICS_JOB, SERVICE_LIST, SUBSCRIPTIONS, TOPICS, deadLetterTopic } from '@shop/contracts';
import { ANALYTICS_RUNNER_METRICS, monitoringDashboards, type MonitoringDashboard, type MonitoringScope } from '@shop/dashboards';

const CLUSTERS = ['shop-prod-frontend', 'shop-prod-backend'];
const onGke: MonitoringScope = { env: 'prod', clusters: CLUSTERS, streamingJob: null };
const onDataflow: MonitoringScope = { ...onGke, streamingJob: 'shop-prod-analytics' };

interface Tile {
  xPos: number;
  yPos: number;
  width: number;
  height: number;
  widget: Record<string, unknown>;
}

function byId(scope: MonitoringScope, id: string): MonitoringDashboard {
  const found = monitoringDashboards(scope).find((d) => d.id === id);
  if (!found) throw new Error(`no ${id} dashboard`);
  return found;
}

function tiles(dashboard: MonitoringDashboard): Tile[] {
  const layout = dashboard.json.mosaicLayout as { columns: number; tiles: Tile[] };
  expect(layout.columns).toBe(48);
  return layout.tiles;
}

/** Every value under a key anywhere in the JSON. */
function valuesOf(json: unknown, key: string): unknown[] {
  if (Array.isArray(json)) return json.flatMap((v) => valuesOf(v, key));
  if (typeof json !== 'object' || json === null) return [];
  return Object.entries(json).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOf(v, key)]);
}

const filtersOf = (dashboard: MonitoringDashboard): string[] => valuesOf(dashboard.json, 'filter').map(String);

/** A filter's clauses: `key = value` joined by AND; the value as a list of the strings it allows. */
function clauses(filter: string): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const clause of filter.split(' AND ')) {
    const m = /^([\w.]+) = (.+)$/.exec(clause);
    if (!m?.[1] || !m[2]) throw new Error(`unparsable clause ${clause}`);
    const values = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((v) => v[1] ?? '');
    parsed.set(m[1], values.length > 0 ? values : [m[2]]);
  }
  return parsed;
}

const metricType = (filter: string): string | undefined => clauses(filter).get('metric.type')?.[0];
const valuesFor = (filters: string[], metric: string, label: string): string[] =>
  filters.filter((f) => metricType(f) === metric).flatMap((f) => clauses(f).get(label) ?? []);

const overlaps = (a: Tile, b: Tile): boolean =>
  a.xPos < b.xPos + b.width && b.xPos < a.xPos + a.width && a.yPos < b.yPos + b.height && b.yPos < a.yPos + a.height;

describe('monitoringDashboards', () => {
  it.each([
    ['GKE runner', onGke],
    ['Dataflow', onDataflow],
  ])('lay out tiles without overlap inside 48 columns (%s)', (_, scope) => {
    const dashboards = monitoringDashboards(scope);
    expect(dashboards.map((d) => d.id)).toEqual(['services', 'pubsub', 'analytics-job']);
    for (const dashboard of dashboards) {
      expect(dashboard.json.displayName).toMatch(/\(prod\)$/);
      const all = tiles(dashboard);
      expect(all.length).toBeGreaterThan(3);
      for (const tile of all) {
        expect(Number.isInteger(tile.xPos) && Number.isInteger(tile.yPos)).toBe(true);
        expect(tile.xPos).toBeGreaterThanOrEqual(0);
        expect(tile.yPos).toBeGreaterThanOrEqual(0);
        expect(tile.width).toBeGreaterThan(0);
        expect(tile.height).toBeGreaterThan(0);
        expect(tile.xPos + tile.width).toBeLessThanOrEqual(48);
        expect(typeof tile.widget.title).toBe('string');
      }
      all.forEach((a, i) => all.slice(i + 1).forEach((b) => expect({ a: a.widget.title, b: b.widget.title, overlap: overlaps(a, b) }).toEqual({ a: a.widget.title, b: b.widget.title, overlap: false })));
      // The Dashboards API takes it as JSON.
      expect(JSON.parse(JSON.stringify(dashboard.json))).toEqual(dashboard.json);
    }
  });

  it('name exactly one metric type at the start of every filter and aggregate with known aligners', () => {
    for (const scope of [onGke, onDataflow]) {
      for (const dashboard of monitoringDashboards(scope)) {
        const filters = filtersOf(dashboard);
        expect(filters.length).toBeGreaterThan(0);
        for (const filter of filters) {
          expect(filter).toMatch(/^metric\.type = "([a-z]+\.googleapis\.com|kubernetes\.io)\/[\w./]+"( AND |$)/);
          expect(filter.match(/metric\.type/g)).toHaveLength(1);
        }
        for (const aggregation of valuesOf(dashboard.json, 'aggregation') as Record<string, unknown>[]) {
          expect(aggregation.alignmentPeriod).toBe('60s');
          expect(['ALIGN_RATE', 'ALIGN_DELTA', 'ALIGN_MEAN', 'ALIGN_MAX', 'ALIGN_SUM']).toContain(aggregation.perSeriesAligner);
          if ('groupByFields' in aggregation) expect(aggregation.crossSeriesReducer).toMatch(/^REDUCE_/);
        }
      }
    }
  });

  it('chart every service on the clusters it is given', () => {
    const filters = filtersOf(byId(onGke, 'services'));
    for (const metric of ['kubernetes.io/container/cpu/core_usage_time', 'kubernetes.io/container/memory/used_bytes', 'kubernetes.io/container/restart_count']) {
      expect(valuesFor(filters, metric, 'resource.labels.container_name').sort()).toEqual(SERVICE_LIST.map((s) => s.name).sort());
      expect([...new Set(valuesFor(filters, metric, 'resource.labels.cluster_name'))].sort()).toEqual([...CLUSTERS].sort());
    }
    // HTTP at the load balancer for the public services only, matched by their NEG.
    const backends = valuesFor(filters, 'loadbalancing.googleapis.com/https/request_count', 'resource.labels.backend_name');
    const latencyBackends = valuesFor(filters, 'loadbalancing.googleapis.com/https/total_latencies', 'resource.labels.backend_name');
    for (const service of SERVICE_LIST) {
      const neg = `.*-${service.name}-neg`;
      expect({ service: service.name, charted: backends.includes(neg) && latencyBackends.includes(neg) }).toEqual({ service: service.name, charted: service.public });
    }
    const fivexx = filters.filter((f) => clauses(f).get('metric.labels.response_code_class')?.[0] === '500');
    expect(fivexx).toHaveLength(SERVICE_LIST.filter((s) => s.public).length);
  });

  it('group the services dashboard by cluster', () => {
    const titles = tiles(byId(onGke, 'services')).map((t) => String(t.widget.title));
    const frontend = titles.indexOf('Frontend cluster');
    const backend = titles.indexOf('Backend cluster');
    expect(frontend).toBeGreaterThanOrEqual(0);
    expect(backend).toBeGreaterThan(frontend);
    for (const service of SERVICE_LIST) {
      const first = titles.findIndex((t) => t.startsWith(`${service.name}:`));
      expect(first > (service.cluster === 'frontend' ? frontend : backend)).toBe(true);
      if (service.cluster === 'frontend') expect(first).toBeLessThan(backend);
    }
  });

  it('chart every topic, subscription and dead-letter topic on the Pub/Sub dashboard', () => {
    const filters = filtersOf(byId(onGke, 'pubsub'));
    const topics = Object.values(TOPICS);
    const published = valuesFor(filters, 'pubsub.googleapis.com/topic/send_message_operation_count', 'resource.labels.topic_id');
    expect([...published].sort()).toEqual([...topics, ...topics.map(deadLetterTopic)].sort());
    for (const metric of ['num_undelivered_messages', 'oldest_unacked_message_age', 'ack_message_count']) {
      const charted = valuesFor(filters, `pubsub.googleapis.com/subscription/${metric}`, 'resource.labels.subscription_id');
      expect([...charted].sort()).toEqual(SUBSCRIPTIONS.map((s) => s.name).sort());
    }
    expect(valuesFor(filters, 'pubsub.googleapis.com/subscription/dead_letter_message_count', 'resource.labels.subscription_id').sort()).toEqual(
      SUBSCRIPTIONS.map((s) => s.name).sort(),
    );
  });

  it('chart the Dataflow job when there is one', () => {
    const filters = filtersOf(byId(onDataflow, 'analytics-job'));
    const types = new Set(filters.map(metricType));
    expect(types).toContain('dataflow.googleapis.com/job/data_watermark_age');
    expect(types).toContain('dataflow.googleapis.com/job/system_lag');
    expect(valuesFor(filters, 'dataflow.googleapis.com/job/system_lag', 'resource.labels.job_name')).toEqual(['shop-prod-analytics']);
    expect([...types].filter((t) => t?.startsWith('workload.googleapis.com/'))).toEqual([]);
  });

  it("chart the Node runner's own metrics when the job runs on GKE", () => {
    const filters = filtersOf(byId(onGke, 'analytics-job'));
    const types = new Set(filters.map(metricType));
    expect(Object.values(ANALYTICS_RUNNER_METRICS).map((m) => m.type).sort()).toEqual([
      'workload.googleapis.com/analytics.backlog',
      'workload.googleapis.com/analytics.dead_lettered_events',
      'workload.googleapis.com/analytics.events_per_second',
      'workload.googleapis.com/analytics.late_events',
      'workload.googleapis.com/analytics.watermark_delay_seconds',
    ]);
    for (const metric of Object.values(ANALYTICS_RUNNER_METRICS)) expect(types).toContain(metric.type);
    expect([...types].filter((t) => t?.startsWith('dataflow.googleapis.com/'))).toEqual([]);
    expect(valuesFor(filters, 'kubernetes.io/container/restart_count', 'resource.labels.container_name')).toEqual([ANALYTICS_JOB.name]);
  });

  it("chart the job's subscriptions with either runner", () => {
    const jobSubscriptions = SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name).map((s) => s.name).sort();
    expect(jobSubscriptions).toHaveLength(Object.values(TOPICS).length * ANALYTICS_JOB.shards);
    for (const scope of [onGke, onDataflow]) {
      const filters = filtersOf(byId(scope, 'analytics-job'));
      expect(valuesFor(filters, 'pubsub.googleapis.com/subscription/oldest_unacked_message_age', 'resource.labels.subscription_id').sort()).toEqual(jobSubscriptions);
    }
  });

  it('refuses a scope without clusters', () => {
    expect(() => monitoringDashboards({ ...onGke, clusters: [] })).toThrow(/clusters/);
  });
});
