import { WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST, type TableSpec } from '@shop/contracts';
import type { Root, Runner } from 'apache-beam';
import type { PipelineResult } from 'apache-beam/runners/runner';
import { dataflowRunner } from 'apache-beam/runners/dataflow';
import { PortableRunner } from 'apache-beam/runners/portable_runner/runner';
import { DEFAULT_ANALYTICS_OPTIONS, analyticsPipeline } from '../pipeline';
import { writeTableRows } from './bigquery';
import { readAnalyticsMessages } from './pubsub';
import { pipelineOptionsOf, type LaunchSettings } from './settings';

function tableNamed(name: string): TableSpec {
  const table = WAREHOUSE_TABLE_LIST.find((t) => t.name === name);
  if (!table) throw new Error(`the pipeline writes ${name}, which the contracts do not define`);
  return table;
}

/** The streaming job as launched: every analytics subscription in, every table of the pipeline out to BigQuery. */
export function streamingJob(settings: LaunchSettings): (root: Root) => Promise<void> {
  return async (root) => {
    const outputs = analyticsPipeline(await readAnalyticsMessages(root, settings.project), DEFAULT_ANALYTICS_OPTIONS);
    const tables = { ...outputs.rows, [WAREHOUSE_TABLES.deadLetter.name]: outputs.deadLetters };
    for (const [name, rows] of Object.entries(tables)) await writeTableRows(rows, tableNamed(name), `${settings.project}:${settings.dataset}.${name}`);
  };
}

export function runnerOf(settings: LaunchSettings): Runner {
  const options = pipelineOptionsOf(settings);
  if (settings.runner === 'portable') return new PortableRunner({ ...options, jobEndpoint: settings.jobEndpoint ?? '' });
  return dataflowRunner({ ...options, project: settings.project, region: settings.region, tempLocation: settings.tempLocation });
}

/**
 * Submits the job and resolves once Dataflow accepted it (a streaming job runs until drained).
 * Building the pipeline expands the Java transforms, and the Dataflow runner starts Python's job
 * service, so the launching machine needs Java, Python and access to Maven Central and PyPI.
 */
export function launch(settings: LaunchSettings): Promise<PipelineResult> {
  return runnerOf(settings).runAsync(streamingJob(settings));
}
