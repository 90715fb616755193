import type { LookerStudioReport } from './types';
import { ANALYST_VIEWS } from './views';

/** Looker Studio Linking API endpoint that creates (or copies) a report from URL parameters. */
export const LOOKER_STUDIO_CREATE_URL = 'https://lookerstudio.google.com/reporting/create';

/**
 * The Linking API URL of the analytics report: one BigQuery data source per analyst view. Each
 * data source's alias is its view's name, so a template report whose data sources carry those
 * aliases gets them all replaced, and a new view never shifts another's alias.
 */
export function lookerStudioReportUrl(report: LookerStudioReport): string {
  const params = new URLSearchParams();
  if (report.templateReportId !== null) params.set('c.reportId', report.templateReportId);
  params.set('r.reportName', report.reportName);
  for (const view of ANALYST_VIEWS) {
    const ds = `ds.${view.name}`;
    params.set(`${ds}.connector`, 'bigQuery');
    params.set(`${ds}.type`, 'TABLE');
    params.set(`${ds}.projectId`, report.project);
    params.set(`${ds}.datasetId`, report.dataset);
    params.set(`${ds}.tableId`, view.name);
    params.set(`${ds}.datasourceName`, view.name);
  }
  return `${LOOKER_STUDIO_CREATE_URL}?${params.toString()}`;
}
