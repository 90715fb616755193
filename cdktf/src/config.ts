import { z } from 'zod';

/** Regions the platform may be deployed to (GCP regions with GKE, Cloud SQL, Memorystore and Dataflow). */
export const GCP_REGIONS = [
  'africa-south1', 'asia-east1', 'asia-east2', 'asia-northeast1', 'asia-northeast2', 'asia-northeast3',
  'asia-south1', 'asia-south2', 'asia-southeast1', 'asia-southeast2', 'australia-southeast1', 'australia-southeast2',
  'europe-central2', 'europe-north1', 'europe-southwest1', 'europe-west1', 'europe-west2', 'europe-west3',
  'europe-west4', 'europe-west6', 'europe-west8', 'europe-west9', 'europe-west10', 'europe-west12',
  'me-central1', 'me-central2', 'me-west1', 'northamerica-northeast1', 'northamerica-northeast2',
  'southamerica-east1', 'southamerica-west1', 'us-central1', 'us-east1', 'us-east4', 'us-east5',
  'us-south1', 'us-west1', 'us-west2', 'us-west3', 'us-west4',
] as const;

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 10.0.0.0/20');

const clusterSchema = z.object({
  /** Primary range of the cluster's node subnet. */
  nodeCidr: cidr,
  podCidr: cidr,
  serviceCidr: cidr,
  /** /28 range for the private control plane. */
  masterCidr: cidr.refine((v) => v.endsWith('/28'), 'must be a /28'),
  machineType: z.string().min(1),
  /** Nodes per zone. */
  minNodes: z.number().int().min(1),
  maxNodes: z.number().int().min(1),
});

export const environmentSchema = z
  .object({
    env: z.enum(['dev', 'prod']),
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a GCP project id (6-30 lowercase letters, digits, dashes)'),
    region: z.enum(GCP_REGIONS, { error: (issue) => `unknown region ${JSON.stringify(issue.input)}; expected one of ${GCP_REGIONS.join(', ')}` }),
    /** Zones the clusters' nodes (and the storefront's network endpoint groups) run in. */
    zones: z.array(z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'must be a zone such as europe-west1-b')).min(2),
    /** Public hostname of the storefront (managed certificate and uptime check). */
    domain: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS name'),
    /** Bucket holding Terraform state (created by the bootstrap stack). */
    stateBucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a bucket name'),
    deletionProtection: z.boolean(),
    network: z.object({
      /** Subnet for Dataflow workers and other regional jobs. */
      jobsCidr: cidr,
      /** Range peered to Google for Cloud SQL and Memorystore private IPs. */
      privateServicesCidr: cidr,
    }),
    clusters: z.object({ frontend: clusterSchema, backend: clusterSchema }),
    releaseChannel: z.enum(['RAPID', 'REGULAR', 'STABLE']),
    database: z.object({
      tier: z.string().regex(/^db-(custom-\d+-\d+|perf-optimized-N-\d+|f1-micro|g1-small)$/, 'must be a Cloud SQL tier'),
      diskGb: z.number().int().min(10),
      highAvailability: z.boolean(),
      readReplica: z.boolean(),
      backupRetentionDays: z.number().int().min(1).max(365),
      postgresVersion: z.enum(['POSTGRES_15', 'POSTGRES_16']),
    }),
    redis: z.object({ memoryGb: z.number().int().min(1), version: z.enum(['REDIS_7_0', 'REDIS_7_2']) }),
    analytics: z.object({
      /** BigQuery dataset location. */
      location: z.string().min(2),
      /** Days a partition is kept; null keeps them forever. */
      partitionExpirationDays: z.number().int().min(1).nullable(),
    }),
    streaming: z.object({
      /** Dataflow runs the Beam pipeline; gke runs the Node streaming runner, one replica per shard. */
      runner: z.enum(['dataflow', 'gke']),
      /** Classic template of the Beam pipeline staged by the release workflow. */
      templatePath: z.string().regex(/^gs:\/\/.+/, 'must be a gs:// path'),
      maxWorkers: z.number().int().min(1),
      machineType: z.string().min(1),
    }),
    edge: z.object({
      /** Cloud Armor rules only log (preview) until this is switched to enforce. */
      armorMode: z.enum(['preview', 'enforce']),
      /** Requests per minute per client IP before Cloud Armor throttles. */
      rateLimitPerMinute: z.number().int().min(10),
    }),
    github: z.object({ owner: z.string().min(1), repository: z.string().min(1) }),
    alerting: z.object({
      emails: z.array(z.email()).min(1),
      /** p95 latency above which a service alerts, in milliseconds. */
      latencyP95Ms: z.number().int().min(1),
      /** Share of 5xx responses above which a service alerts. */
      errorRate: z.number().min(0).max(1),
      /** Oldest unacked message age above which a subscription alerts, in seconds. */
      oldestUnackedSeconds: z.number().int().min(1),
      /** Analytics watermark delay above which the job alerts, in seconds. */
      jobLagSeconds: z.number().int().min(1),
    }),
    lookerStudio: z.object({
      /** Template report copied by the Linking API URL; null creates a blank report over the views. */
      templateReportId: z.string().nullable(),
      reportName: z.string().min(1),
    }),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.env === 'prod' && !cfg.deletionProtection) ctx.addIssue({ code: 'custom', path: ['deletionProtection'], message: 'prod must keep deletion protection on' });
    if (cfg.env === 'prod' && !cfg.database.highAvailability) ctx.addIssue({ code: 'custom', path: ['database', 'highAvailability'], message: 'prod must run Cloud SQL in regional HA' });
    cfg.zones.forEach((zone, i) => {
      if (!zone.startsWith(`${cfg.region}-`)) ctx.addIssue({ code: 'custom', path: ['zones', i], message: `zone ${zone} is not in region ${cfg.region}` });
    });
    for (const role of ['frontend', 'backend'] as const) {
      const c = cfg.clusters[role];
      if (c.minNodes > c.maxNodes) ctx.addIssue({ code: 'custom', path: ['clusters', role, 'maxNodes'], message: 'must be at least minNodes' });
    }
  });

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type Environment = z.output<typeof environmentSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates one environment's settings; the error names every bad field with its path. */
export function loadEnvironment(input: unknown): Environment {
  const parsed = environmentSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const env = typeof input === 'object' && input !== null && 'env' in input ? String((input as { env: unknown }).env) : 'environment';
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`Invalid infrastructure config for ${env}:\n${lines.join('\n')}`);
}
