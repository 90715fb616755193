import { ANALYTICS_JOB, WAREHOUSE_DATASET } from '@shop/contracts';

/**
 * How the pipeline is launched: `dataflow` has Beam start Dataflow's job service (Python's
 * apache_beam.runners.dataflow.dataflow_job_service); `portable` submits to a job service already
 * listening at BEAM_JOB_ENDPOINT.
 */
export type LaunchRunner = 'dataflow' | 'portable';

export interface LaunchSettings {
  runner: LaunchRunner;
  /** host:port of the job service, for the portable runner. */
  jobEndpoint: string | null;
  project: string;
  region: string;
  stagingLocation: string;
  tempLocation: string;
  jobName: string;
  /** Worker image: Beam's TypeScript SDK image with this workspace installed. */
  sdkContainerImage: string;
  serviceAccountEmail: string | null;
  subnetwork: string | null;
  /** Where Dataflow writes a classic template instead of running the job, when set. */
  templateLocation: string | null;
  dataset: string;
}

/** A launch setting that is missing or malformed, named with what it must be. */
export class LaunchSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid launch settings: ${problems.join('; ')}`);
  }
}

const GCS_PATH = /^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/;
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const JOB_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]+$/;

/**
 * Reads and validates the launch settings; every problem is reported at once, each naming its
 * variable. Unset and empty mean the same.
 */
export function launchSettingsFrom(env: Readonly<Record<string, string | undefined>>): LaunchSettings {
  const problems: string[] = [];
  const value = (name: string): string | null => {
    const text = env[name]?.trim();
    return text ? text : null;
  };
  const checked = (name: string, pattern: RegExp, rule: string, fallback: string | null): string | null => {
    const text = value(name) ?? fallback;
    if (text !== null && !pattern.test(text)) problems.push(`${name} must be ${rule}, got ${JSON.stringify(text)}`);
    return text;
  };
  const required = (name: string, pattern: RegExp, rule: string): string => {
    const text = checked(name, pattern, rule, null);
    if (text === null) problems.push(`${name} is required (${rule})`);
    return text ?? '';
  };

  const runner = value('BEAM_RUNNER') ?? 'dataflow';
  if (runner !== 'dataflow' && runner !== 'portable') problems.push(`BEAM_RUNNER must be dataflow or portable, got ${JSON.stringify(runner)}`);
  const jobEndpoint = runner === 'portable' ? required('BEAM_JOB_ENDPOINT', HOST_PORT, 'host:port of a job service') : checked('BEAM_JOB_ENDPOINT', HOST_PORT, 'host:port of a job service', null);
  const stagingLocation = required('DATAFLOW_STAGING_LOCATION', GCS_PATH, 'a gs:// path');
  const settings: LaunchSettings = {
    runner: runner === 'portable' ? 'portable' : 'dataflow',
    jobEndpoint,
    project: required('GOOGLE_CLOUD_PROJECT', PROJECT_ID, 'a Google Cloud project id'),
    region: required('DATAFLOW_REGION', REGION, 'a Google Cloud region such as europe-west1'),
    stagingLocation,
    tempLocation: checked('DATAFLOW_TEMP_LOCATION', GCS_PATH, 'a gs:// path', GCS_PATH.test(stagingLocation) ? `${stagingLocation.replace(/\/+$/, '')}/temp` : null) ?? '',
    jobName: checked('DATAFLOW_JOB_NAME', JOB_NAME, 'lowercase letters, digits and dashes', ANALYTICS_JOB.name) ?? ANALYTICS_JOB.name,
    sdkContainerImage: required('BEAM_SDK_CONTAINER_IMAGE', /^\S+$/, 'the worker image reference'),
    serviceAccountEmail: checked('DATAFLOW_SERVICE_ACCOUNT', EMAIL, 'a service account email', null),
    subnetwork: value('DATAFLOW_SUBNETWORK'),
    templateLocation: checked('DATAFLOW_TEMPLATE_LOCATION', GCS_PATH, 'a gs:// path', null),
    dataset: checked('BIGQUERY_DATASET', /^[A-Za-z0-9_]{1,1024}$/, 'a BigQuery dataset id', WAREHOUSE_DATASET) ?? WAREHOUSE_DATASET,
  };
  if (problems.length > 0) throw new LaunchSettingsError(problems);
  return settings;
}

/** Beam's pipeline options for a streaming Dataflow job (Beam hands them to the job service as beam:option:<snake_case>:v1). */
export function pipelineOptionsOf(settings: LaunchSettings): Record<string, string | boolean> {
  return {
    project: settings.project,
    region: settings.region,
    stagingLocation: settings.stagingLocation,
    tempLocation: settings.tempLocation,
    jobName: settings.jobName,
    sdkContainerImage: settings.sdkContainerImage,
    streaming: true,
    enableStreamingEngine: true,
    // Workers get private IPs only, as the streaming stack's network expects.
    usePublicIps: false,
    ...(settings.serviceAccountEmail ? { serviceAccountEmail: settings.serviceAccountEmail } : {}),
    ...(settings.subnetwork ? { subnetwork: settings.subnetwork } : {}),
    ...(settings.templateLocation ? { templateLocation: settings.templateLocation } : {}),
  };
}
