/** An analyst view over the warehouse tables. */
export interface ViewSpec {
  /** View name in the analytics dataset. */
  name: string;
  description: string;
  /** BigQuery Standard SQL of the view; tables are referenced as `project.dataset.table`. */
  sql(project: string, dataset: string): string;
}

/** A Cloud Monitoring dashboard, as the Dashboards API (and google_monitoring_dashboard) takes it. */
export interface MonitoringDashboard {
  /** File-name friendly id, e.g. `services`. */
  id: string;
  /** The dashboard JSON (displayName, mosaicLayout, tiles...). */
  json: Record<string, unknown>;
}

export interface MonitoringScope {
  /** Environment label shown in titles, e.g. `prod`. */
  env: string;
  /** Names of the GKE clusters whose workloads the dashboards chart. */
  clusters: string[];
  /** Dataflow job name, or null when the Node streaming runner runs on GKE. */
  streamingJob: string | null;
}

export interface LookerStudioReport {
  project: string;
  dataset: string;
  reportName: string;
  /** Report to copy; null creates a report with the views as data sources. */
  templateReportId: string | null;
}
