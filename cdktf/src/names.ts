import { ANALYTICS_JOB, KUBERNETES_NAMESPACE, WAREHOUSE_DATASET, type Cluster } from '@shop/contracts';
import type { Environment } from './config';
import { CLOUD_SQL_PROXY_REPOSITORY } from './google';

/**
 * Names of resources that one stack creates and another refers to. Stacks meet through these
 * deterministic names instead of remote state, so each stack plans on its own.
 */
export type TerraformRole = 'plan' | 'apply';

export function namesFor(env: Environment) {
  const prefix = `shop-${env.env}`;
  const project = env.project;
  const registry = 'shop';
  return {
    prefix,
    network: `${prefix}-vpc`,
    networkId: `projects/${project}/global/networks/${prefix}-vpc`,
    subnet: (role: Cluster | 'jobs') => `${prefix}-${role}`,
    subnetId: (role: Cluster | 'jobs') => `projects/${project}/regions/${env.region}/subnetworks/${prefix}-${role}`,
    podsRange: (role: Cluster) => `${role}-pods`,
    servicesRange: (role: Cluster) => `${role}-services`,
    privateServicesRange: `${prefix}-private-services`,
    cluster: (role: Cluster) => `${prefix}-${role}`,
    nodeServiceAccount: (role: Cluster) => `${prefix}-${role}-nodes`,
    nodeServiceAccountEmail: (role: Cluster) => `${prefix}-${role}-nodes@${project}.iam.gserviceaccount.com`,
    /** Google service account id of a workload (service, analytics job, release workflow). */
    workloadAccountId: (workload: string) => `${prefix}-${workload}`,
    workloadAccountEmail: (workload: string) => `${prefix}-${workload}@${project}.iam.gserviceaccount.com`,
    /** Cloud SQL IAM database user of a workload: its account's email without `.gserviceaccount.com`. */
    databaseUser: (workload: string) => `${prefix}-${workload}@${project}.iam`,
    /** Kubernetes service account a workload runs as, bound to its Google service account. */
    workloadIdentityMember: (workload: string) => `serviceAccount:${project}.svc.id.goog[${KUBERNETES_NAMESPACE}/${workload}]`,
    sqlInstance: `${prefix}-pg`,
    sqlReplica: `${prefix}-pg-replica`,
    redis: `${prefix}-redis`,
    dataset: WAREHOUSE_DATASET,
    bucket: {
      state: env.stateBucket,
      assets: `${project}-static-assets`,
      imports: `${project}-imports`,
      dataflow: `${project}-dataflow`,
    },
    registry,
    registryHost: `${env.region}-docker.pkg.dev`,
    /** Images Binary Authorization admits to the clusters (a trailing * matches the rest of the name). */
    admittedImages: [`${env.region}-docker.pkg.dev/${project}/${registry}/*`, `${CLOUD_SQL_PROXY_REPOSITORY}*`],
    streamingJob: `${prefix}-${ANALYTICS_JOB.name}`,
    edge: {
      address: `${prefix}-storefront-ip`,
      sslPolicy: `${prefix}-tls12`,
      armorPolicy: `${prefix}-edge`,
      certificate: `${prefix}-storefront-cert`,
      /** Standalone NEG the storefront's Kubernetes Service creates in each zone. */
      neg: (workload: string) => `${prefix}-${workload}-neg`,
    },
    /** Accounts the infrastructure workflow plans (read-only) and applies as. */
    terraformAccountId: (role: TerraformRole) => `${prefix}-tf-${role}`,
    terraformAccountEmail: (role: TerraformRole) => `${prefix}-tf-${role}@${project}.iam.gserviceaccount.com`,
    githubPool: `${prefix}-github`,
    githubProvider: 'github-actions',
  };
}

export type Names = ReturnType<typeof namesFor>;
