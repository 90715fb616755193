import type { EnvironmentInput } from './config';

const CLUSTER_MACHINE = 'e2-standard-4';

/** Settings of every environment; `npm run synth -w cdktf` validates and synthesizes each. */
export const ENVIRONMENTS: Record<'dev' | 'prod', EnvironmentInput> = {
  dev: {
    env: 'dev',
    project: 'shop-platform-dev',
    region: 'europe-west1',
    zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    domain: 'dev.shop.example.com',
    stateBucket: 'shop-platform-dev-tfstate',
    deletionProtection: false,
    network: { jobsCidr: '10.12.0.0/20', privateServicesCidr: '10.100.0.0/16' },
    clusters: {
      frontend: { nodeCidr: '10.10.0.0/20', podCidr: '10.20.0.0/16', serviceCidr: '10.30.0.0/20', masterCidr: '172.16.0.0/28', machineType: CLUSTER_MACHINE, minNodes: 1, maxNodes: 3 },
      backend: { nodeCidr: '10.11.0.0/20', podCidr: '10.21.0.0/16', serviceCidr: '10.31.0.0/20', masterCidr: '172.16.0.16/28', machineType: CLUSTER_MACHINE, minNodes: 1, maxNodes: 3 },
    },
    releaseChannel: 'REGULAR',
    database: { tier: 'db-custom-2-7680', diskGb: 20, highAvailability: false, readReplica: false, backupRetentionDays: 7, postgresVersion: 'POSTGRES_15' },
    redis: { memoryGb: 1, version: 'REDIS_7_2' },
    analytics: { location: 'EU', partitionExpirationDays: 90 },
    streaming: { runner: 'gke', templatePath: 'gs://shop-platform-dev-dataflow/templates/analytics.json', maxWorkers: 2, machineType: 'n2-standard-2' },
    edge: { armorMode: 'preview', rateLimitPerMinute: 600 },
    github: { owner: 'shop-platform', repository: 'shop-platform' },
    alerting: { emails: ['platform-dev@shop.example.com'], latencyP95Ms: 800, errorRate: 0.05, oldestUnackedSeconds: 600, jobLagSeconds: 600 },
    lookerStudio: { templateReportId: null, reportName: 'Shop analytics (dev)' },
  },
  prod: {
    env: 'prod',
    project: 'shop-platform-prod',
    region: 'europe-west1',
    zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    domain: 'shop.example.com',
    stateBucket: 'shop-platform-prod-tfstate',
    deletionProtection: true,
    network: { jobsCidr: '10.12.0.0/20', privateServicesCidr: '10.100.0.0/16' },
    clusters: {
      frontend: { nodeCidr: '10.10.0.0/20', podCidr: '10.20.0.0/16', serviceCidr: '10.30.0.0/20', masterCidr: '172.16.0.0/28', machineType: CLUSTER_MACHINE, minNodes: 2, maxNodes: 10 },
      backend: { nodeCidr: '10.11.0.0/20', podCidr: '10.21.0.0/16', serviceCidr: '10.31.0.0/20', masterCidr: '172.16.0.16/28', machineType: CLUSTER_MACHINE, minNodes: 2, maxNodes: 10 },
    },
    releaseChannel: 'STABLE',
    database: { tier: 'db-custom-4-15360', diskGb: 100, highAvailability: true, readReplica: true, backupRetentionDays: 30, postgresVersion: 'POSTGRES_15' },
    redis: { memoryGb: 5, version: 'REDIS_7_2' },
    analytics: { location: 'EU', partitionExpirationDays: null },
    // The Node runner on GKE: Beam's TypeScript SDK has no triggers, lateness or session windows and
    // is not a supported SDK on Dataflow (dataflow/beam/README.md), so the job's panes need it.
    streaming: { runner: 'gke', templatePath: 'gs://shop-platform-prod-dataflow/templates/analytics.json', maxWorkers: 10, machineType: 'n2-standard-4' },
    edge: { armorMode: 'preview', rateLimitPerMinute: 1200 },
    github: { owner: 'shop-platform', repository: 'shop-platform' },
    alerting: { emails: ['platform-oncall@shop.example.com'], latencyP95Ms: 500, errorRate: 0.01, oldestUnackedSeconds: 300, jobLagSeconds: 300 },
    lookerStudio: { templateReportId: null, reportName: 'Shop analytics' },
  },
};
