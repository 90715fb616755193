import { KUBERNETES_NAMESPACE, SERVICE_LIST, type Cluster, type ServiceSpec } from '@shop/contracts';
import type { MonitoringScope } from '../types';
import { charts, dashboard, header, type Band } from './layout';
import { aggregate, lineChart, markdown, metricFilter, ratioChart, type Widget } from './widgets';

const LB_RULE = { 'resource.type': 'https_lb_rule' } as const;

/**
 * The load balancer labels each request with its backend: the standalone NEG a public service's
 * Kubernetes Service creates, named `<prefix>-<service>-neg` by the infrastructure.
 */
const backendOf = (service: ServiceSpec) => ({ 'resource.labels.backend_name': { regex: `.*-${service.name}-neg` } });

function loadBalancerCharts(service: ServiceSpec): Widget[] {
  const requests = metricFilter('loadbalancing.googleapis.com/https/request_count', { ...LB_RULE, ...backendOf(service) });
  const failed = metricFilter('loadbalancing.googleapis.com/https/request_count', {
    ...LB_RULE,
    ...backendOf(service),
    'metric.labels.response_code_class': 500,
  });
  const latencies = metricFilter('loadbalancing.googleapis.com/https/total_latencies', { ...LB_RULE, ...backendOf(service) });
  return [
    lineChart(`${service.name}: requests/s by status class`, 'requests/s', [
      { filter: requests, aggregation: aggregate('ALIGN_RATE', 'REDUCE_SUM', ['metric.label.response_code_class']) },
    ]),
    ratioChart(`${service.name}: share of 5xx responses`, 'share', { filter: failed, aggregation: aggregate('ALIGN_RATE', 'REDUCE_SUM') }, {
      filter: requests,
      aggregation: aggregate('ALIGN_RATE', 'REDUCE_SUM'),
    }),
    lineChart(`${service.name}: p95 latency at the load balancer`, 'ms', [
      { filter: latencies, aggregation: aggregate('ALIGN_DELTA', 'REDUCE_PERCENTILE_95') },
    ]),
  ];
}

/** CPU, memory and restarts of a workload's containers, one line per pod. */
export function containerCharts(container: string, clusters: readonly string[]): Widget[] {
  const where = {
    'resource.type': 'k8s_container',
    'resource.labels.cluster_name': clusters,
    'resource.labels.namespace_name': KUBERNETES_NAMESPACE,
    'resource.labels.container_name': container,
  };
  const perPod = ['resource.label.pod_name'];
  return [
    lineChart(`${container}: CPU (cores) per pod`, 'cores', [
      { filter: metricFilter('kubernetes.io/container/cpu/core_usage_time', where), aggregation: aggregate('ALIGN_RATE', 'REDUCE_SUM', perPod) },
    ]),
    lineChart(`${container}: memory in use per pod`, 'bytes', [
      {
        // Evictable memory is page cache the kernel reclaims; non-evictable is what gets a pod killed.
        filter: metricFilter('kubernetes.io/container/memory/used_bytes', { ...where, 'metric.labels.memory_type': 'non-evictable' }),
        aggregation: aggregate('ALIGN_MEAN', 'REDUCE_SUM', perPod),
      },
    ]),
    lineChart(
      `${container}: container restarts`,
      'restarts',
      [{ filter: metricFilter('kubernetes.io/container/restart_count', where), aggregation: aggregate('ALIGN_DELTA', 'REDUCE_SUM', perPod) }],
      'STACKED_BAR',
    ),
  ];
}

const CLUSTER_TITLES: Record<Cluster, string> = { frontend: 'Frontend cluster', backend: 'Backend cluster' };

/** Every service, grouped by the cluster it runs on: HTTP at the load balancer, then its containers. */
export function servicesDashboard(scope: MonitoringScope): Record<string, unknown> {
  const roles = [...new Set(SERVICE_LIST.map((s) => s.cluster))];
  const bands: Band[] = roles.flatMap((role) => {
    const services = SERVICE_LIST.filter((s) => s.cluster === role);
    const intro = markdown(
      CLUSTER_TITLES[role],
      `Services: ${services.map((s) => `**${s.name}**`).join(', ')}. Public services also show requests, ` +
        '5xx share and p95 latency at the global load balancer.',
    );
    return [
      header(intro),
      ...services.map((service) =>
        charts([...(service.public ? loadBalancerCharts(service) : []), ...containerCharts(service.name, scope.clusters)]),
      ),
    ];
  });
  return dashboard(`Shop services (${scope.env})`, bands);
}
