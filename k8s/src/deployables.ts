import { ANALYTICS_JOB, SERVICE_LIST, type Cluster } from '@shop/contracts';
import { ENVIRONMENTS, loadEnvironment, namesFor, type Environment } from '@shop/cdktf';

/**
 * What gets an image and runs in a cluster. Services come from the contracts' list; the
 * analytics runner runs on GKE only where the environment selects the GKE runner (elsewhere
 * Dataflow runs the Beam pipeline). Database migrations run from each service's own image.
 */
export interface Deployable {
  name: string;
  cluster: Cluster;
  /** Deployment for request-serving services; StatefulSet for the runner (one replica per shard). */
  workload: 'Deployment' | 'StatefulSet';
  /** Dockerfile, relative to the repository root; images are built with the root as context. */
  dockerfile: string;
  /** Container port: traffic for services, probes and metrics for the runner. */
  port: number;
  probes: { readonly live: string; readonly ready: string };
  /** Its own database, migrated by a PreSync Job running the same image. */
  database: string | null;
  replicas: { min: number; max: number };
}

const PROBES = { live: '/healthz', ready: '/readyz' } as const;
const RUNNER_PORT = 8080;

export const SERVICE_DEPLOYABLES: readonly Deployable[] = SERVICE_LIST.map((s) => ({
  name: s.name,
  cluster: s.cluster,
  workload: 'Deployment',
  dockerfile: `services/${s.name}/Dockerfile`,
  port: s.port,
  probes: s.probes,
  database: s.database,
  replicas: { min: 2, max: 10 },
}));

export const ANALYTICS_DEPLOYABLE: Deployable = {
  name: ANALYTICS_JOB.name,
  cluster: ANALYTICS_JOB.cluster,
  workload: 'StatefulSet',
  dockerfile: 'dataflow/Dockerfile',
  port: RUNNER_PORT,
  probes: PROBES,
  database: null,
  // Every key has one owner: exactly one replica per shard, never scaled by load.
  replicas: { min: ANALYTICS_JOB.shards, max: ANALYTICS_JOB.shards },
};

export const DEPLOYABLES: readonly Deployable[] = [...SERVICE_DEPLOYABLES, ANALYTICS_DEPLOYABLE];

export type EnvName = keyof typeof ENVIRONMENTS;
export const ENV_NAMES = Object.keys(ENVIRONMENTS) as EnvName[];
export const CLUSTERS: readonly Cluster[] = ['frontend', 'backend'];

export const environment = (env: EnvName): Environment => loadEnvironment(ENVIRONMENTS[env]);

/** The deployables one cluster of one environment runs. */
export function deployablesOf(env: EnvName, cluster: Cluster): Deployable[] {
  const runsRunner = environment(env).streaming.runner === 'gke';
  return DEPLOYABLES.filter((d) => d.cluster === cluster && (d !== ANALYTICS_DEPLOYABLE || runsRunner));
}

/** Overlay folder ArgoCD syncs to one cluster, relative to the repository root. */
export const overlayPath = (env: EnvName, cluster: Cluster): string => `k8s/overlays/${env}/${cluster}`;

/** Image repository of a deployable in an environment's Artifact Registry (tag or digest appended by the release). */
export function imageRepository(env: EnvName, name: string): string {
  const e = environment(env);
  const names = namesFor(e);
  return `${names.registryHost}/${e.project}/${names.registry}/${name}`;
}
