import type { MonitoringDashboard, MonitoringScope } from '../types';
import { analyticsDashboard } from './analytics';
import { pubsubDashboard } from './pubsub';
import { servicesDashboard } from './services';

export { ANALYTICS_RUNNER_METRICS, type RunnerMetric } from './analytics';

/** The platform's Cloud Monitoring dashboards, as the Dashboards API takes them. */
export function monitoringDashboards(scope: MonitoringScope): MonitoringDashboard[] {
  if (scope.clusters.length === 0) throw new Error('monitoringDashboards needs the names of the GKE clusters to chart');
  return [
    { id: 'services', json: servicesDashboard(scope) },
    { id: 'pubsub', json: pubsubDashboard(scope) },
    { id: 'analytics-job', json: analyticsDashboard(scope) },
  ];
}
