export * from './types';
export { ANALYST_VIEWS, TOP_CO_VIEWED, latestViewName, tableRef } from './views';
export { LOOKER_STUDIO_CREATE_URL, lookerStudioReportUrl } from './looker';
export { duckDbViews, toDuckDbSql, type LocalView } from './duckdb';
export { createAnalyticsPage, loadAnalytics, renderAnalyticsPage, type AnalyticsData, type AnalyticsPageOptions, type ViewReader } from './page/analytics-page';
export { ANALYTICS_RUNNER_METRICS, monitoringDashboards, type RunnerMetric } from './monitoring';
