export * from './types';
export { ANALYST_VIEWS, TOP_CO_VIEWED, latestViewName, tableRef } from './views';
export { LOOKER_STUDIO_CREATE_URL, lookerStudioReportUrl } from './looker';
export { duckDbViews, toDuckDbSql, type LocalView } from './duckdb';
export { ANALYTICS_RUNNER_METRICS, monitoringDashboards, type RunnerMetric } from './monitoring';
