import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ANALYTICS_JOB, SUBSCRIPTIONS, WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST } from '@shop/contracts';
import { ANALYTICS_RUNNER_METRICS } from '@shop/dashboards';
import { DataflowJob } from '@cdktf/provider-google/lib/dataflow-job';
import { MonitoringMetricDescriptor } from '@cdktf/provider-google/lib/monitoring-metric-descriptor';
import { PlatformStack, type StackProps } from '../stack';

/** Subscriptions the analytics job pulls: one per shard of every topic. */
export const analyticsSubscriptions = (): string[] => SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name).map((s) => s.name);

/** Tables the job writes; raw events are written by Pub/Sub BigQuery subscriptions instead. */
export const analyticsTables = (): string[] => WAREHOUSE_TABLE_LIST.map((t) => t.name).filter((name) => name !== WAREHOUSE_TABLES.rawEvents.name);

/**
 * The streaming analytics job. On Dataflow it is a classic-template job run as the analytics
 * service account on private worker IPs in the jobs subnet (the network stack opens the
 * workers' shuffle ports to each other). On GKE the Node runner (one replica per shard,
 * deployed by ArgoCD) needs only the descriptor of the metric its lag is alerted on.
 */
export class StreamingStack extends PlatformStack {
  constructor(scope: Construct, props: StackProps) {
    super(scope, 'streaming', props);
    const { project, region, streaming } = this.env;
    const names = this.names;
    const subscriptions = analyticsSubscriptions().map((name) => `projects/${project}/subscriptions/${name}`);
    const serviceAccount = names.workloadAccountEmail(ANALYTICS_JOB.name);

    if (streaming.runner === 'dataflow') {
      new DataflowJob(this, 'job', {
        name: names.streamingJob,
        region,
        templateGcsPath: streaming.templatePath,
        tempGcsLocation: `gs://${names.bucket.dataflow}/temp`,
        serviceAccountEmail: serviceAccount,
        network: names.network,
        // The Dataflow API takes a subnetwork as regions/<region>/subnetworks/<name> or its full URL.
        subnetwork: `https://www.googleapis.com/compute/v1/${names.subnetId('jobs')}`,
        ipConfiguration: 'WORKER_IP_PRIVATE',
        maxWorkers: streaming.maxWorkers,
        machineType: streaming.machineType,
        enableStreamingEngine: true,
        // Drain finishes open windows and acks what was written, so a replacement loses nothing.
        onDelete: 'drain',
        skipWaitOnJobTermination: false,
        parameters: {
          subscriptions: subscriptions.join(','),
          dataset: `${project}:${names.dataset}`,
          tables: analyticsTables().join(','),
        },
        labels: { workload: ANALYTICS_JOB.name },
      });
    } else {
      // Monitoring refuses an alert on a metric nobody has written yet; declaring it lets the
      // observability stack alert on the runner's lag before its first export.
      const watermark = ANALYTICS_RUNNER_METRICS.watermarkDelay;
      new MonitoringMetricDescriptor(this, 'runner-watermark-delay', {
        type: watermark.type,
        displayName: 'Analytics watermark delay',
        description: watermark.description,
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        unit: watermark.unit,
      });
    }

    new TerraformOutput(this, 'runner', { description: 'Where the analytics job runs: dataflow or gke', value: streaming.runner });
    new TerraformOutput(this, 'shard_subscriptions', { description: 'Subscriptions the analytics job pulls, one per shard of every topic', value: subscriptions });
    new TerraformOutput(this, 'service_account', { description: 'Service account the analytics job runs as', value: serviceAccount });
  }
}
