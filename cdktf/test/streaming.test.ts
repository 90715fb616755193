import { ANALYTICS_JOB, SUBSCRIPTIONS, WAREHOUSE_DATASET } from '@shop/contracts';
import { ANALYTICS_RUNNER_METRICS } from '@shop/dashboards';
import type { Environment } from '../src/config';
import { namesFor } from '../src/names';
import { StreamingStack } from '../src/stacks/streaming';
import { environment, onlyResource, resourceTypes, synthesize } from './support';

const withRunner = (name: 'dev' | 'prod', runner: 'dataflow' | 'gke'): Environment => {
  const env = environment(name);
  return { ...env, streaming: { ...env.streaming, runner } };
};

const shardSubscriptions = (project: string): string[] =>
  SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name).map((s) => `projects/${project}/subscriptions/${s.name}`);

describe('streaming stack on Dataflow (prod, were it switched to Dataflow)', () => {
  const env = withRunner('prod', 'dataflow');
  const names = namesFor(env);
  const synth = synthesize(StreamingStack, env);
  const job = onlyResource(synth, 'google_dataflow_job');

  it('declares no runner metric: Dataflow reports its own watermark', () => {
    expect(resourceTypes(synth)).toEqual(['google_dataflow_job']);
  });

  it('runs the staged template as the analytics account on private workers in the jobs subnet', () => {
    expect(env.streaming.runner).toBe('dataflow');
    expect(job).toMatchObject({
      name: names.streamingJob,
      template_gcs_path: env.streaming.templatePath,
      service_account_email: names.workloadAccountEmail(ANALYTICS_JOB.name),
      ip_configuration: 'WORKER_IP_PRIVATE',
      network: names.network,
      subnetwork: `https://www.googleapis.com/compute/v1/${names.subnetId('jobs')}`,
      max_workers: env.streaming.maxWorkers,
      machine_type: env.streaming.machineType,
      enable_streaming_engine: true,
      on_delete: 'drain',
      skip_wait_on_job_termination: false,
      region: env.region,
    });
  });

  it('stages in the dataflow bucket', () => {
    expect(String(job.temp_gcs_location)).toMatch(new RegExp(`^gs://${names.bucket.dataflow}/`));
  });

  it('reads every analytics shard subscription and writes the warehouse dataset', () => {
    const parameters = job.parameters as Record<string, string>;
    expect(parameters.subscriptions?.split(',').sort()).toEqual(shardSubscriptions(env.project).sort());
    expect(parameters.subscriptions?.split(',')).toHaveLength(ANALYTICS_JOB.shards * 4);
    expect(parameters.dataset).toBe(`${env.project}:${WAREHOUSE_DATASET}`);
    expect(parameters.tables?.split(',')).not.toContain('raw_events');
  });

  it('outputs the runner, its subscriptions and its service account', () => {
    expect(synth.output?.runner?.value).toBe('dataflow');
    expect(synth.output?.shard_subscriptions?.value).toEqual(shardSubscriptions(env.project));
    expect(synth.output?.service_account?.value).toBe(names.workloadAccountEmail(ANALYTICS_JOB.name));
  });

  it('matches the snapshot', () => {
    expect(synth).toMatchSnapshot();
  });
});

describe('streaming stack on GKE (dev)', () => {
  const env = environment('dev');
  const synth = synthesize(StreamingStack, env);

  it('creates no Dataflow job, only the descriptor of the lag metric the runner exports', () => {
    expect(env.streaming.runner).toBe('gke');
    expect(resourceTypes(synth)).toEqual(['google_monitoring_metric_descriptor']);
    expect(onlyResource(synth, 'google_monitoring_metric_descriptor')).toMatchObject({
      type: ANALYTICS_RUNNER_METRICS.watermarkDelay.type,
      metric_kind: 'GAUGE',
      value_type: 'DOUBLE',
      unit: 's',
    });
  });

  it('still outputs the runner, its subscriptions and its service account', () => {
    expect(synth.output?.runner?.value).toBe('gke');
    expect(synth.output?.shard_subscriptions?.value).toEqual(shardSubscriptions(env.project));
    expect(synth.output?.service_account?.value).toBe(namesFor(env).workloadAccountEmail(ANALYTICS_JOB.name));
  });

  it('matches the snapshot', () => {
    expect(synth).toMatchSnapshot();
  });
});

it('follows the runner switch, not the environment name', () => {
  expect(resourceTypes(synthesize(StreamingStack, withRunner('prod', 'gke')))).not.toContain('google_dataflow_job');
  expect(resourceTypes(synthesize(StreamingStack, withRunner('dev', 'dataflow')))).toContain('google_dataflow_job');
});
