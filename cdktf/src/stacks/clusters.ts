import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { Cluster } from '@shop/contracts';
import { BinaryAuthorizationPolicy } from '@cdktf/provider-google/lib/binary-authorization-policy';
import { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster';
import { GkeHubFeature } from '@cdktf/provider-google/lib/gke-hub-feature';
import { ContainerNodePool, type ContainerNodePoolNodeConfig } from '@cdktf/provider-google/lib/container-node-pool';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { PlatformStack, type StackProps } from '../stack';
import { CLUSTER_ROLES, nodeTag } from './network';

/** What a node needs to run: write logs and metrics, read its metadata; nothing else. */
export const NODE_ROLES = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
  'roles/autoscaling.metricsWriter',
] as const;

/** Metrics GKE exports besides system components; workload metrics come from Managed Prometheus. */
const MONITORED_COMPONENTS = ['SYSTEM_COMPONENTS', 'APISERVER', 'SCHEDULER', 'CONTROLLER_MANAGER', 'STORAGE', 'HPA', 'POD', 'DAEMONSET', 'DEPLOYMENT', 'STATEFULSET'];

/** Two regional, private, Workload Identity GKE clusters (frontend and backend) with dedicated node accounts. */
export class ClustersStack extends PlatformStack {
  constructor(scope: Construct, props: StackProps) {
    super(scope, 'clusters', props);
    this.admissionPolicy();
    for (const role of CLUSTER_ROLES) this.cluster(role);
    this.multiClusterServices();
  }

  /**
   * Multi-cluster Services across the fleet both clusters join: a Service the backend exports
   * (ServiceExport) is reachable from the frontend as <name>.<namespace>.svc.clusterset.local.
   */
  private multiClusterServices(): void {
    const { env } = this;
    new GkeHubFeature(this, 'multi_cluster_services', { name: 'multiclusterservicediscovery', location: 'global', project: env.project });
    // The importer reads the network to program the imported endpoints; its identity is fixed by GKE.
    new ProjectIamMember(this, 'mcs_importer_network_viewer', {
      project: env.project,
      role: 'roles/compute.networkViewer',
      member: `serviceAccount:${env.project}.svc.id.goog[gke-mcs/gke-mcs-importer]`,
    });
  }

  /**
   * The project's Binary Authorization policy, which both clusters enforce: only images from this
   * environment's registry and the Cloud SQL Auth Proxy run; Google's own system images are
   * admitted by the global policy. Everything else is blocked and logged.
   */
  private admissionPolicy(): void {
    const { env, names } = this;
    new BinaryAuthorizationPolicy(this, 'admission', {
      project: env.project,
      description: `Images admitted to the ${env.env} clusters`,
      globalPolicyEvaluationMode: 'ENABLE',
      admissionWhitelistPatterns: names.admittedImages.map((namePattern) => ({ namePattern })),
      defaultAdmissionRule: { evaluationMode: 'ALWAYS_DENY', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' },
    });
  }

  private cluster(role: Cluster): void {
    const { env, names } = this;
    const settings = env.clusters[role];

    const account = new ServiceAccount(this, `${role}_nodes`, {
      accountId: names.nodeServiceAccount(role),
      displayName: `GKE nodes of the ${role} cluster`,
    });
    const member = `serviceAccount:${account.email}`;
    const grants: ITerraformDependable[] = NODE_ROLES.map((r) => new ProjectIamMember(this, `${role}_nodes_${r.replace(/^roles\//, '').replace(/\./g, '_')}`, { project: env.project, role: r, member }));

    const nodeConfig: ContainerNodePoolNodeConfig = {
      machineType: settings.machineType,
      imageType: 'COS_CONTAINERD',
      diskType: 'pd-balanced',
      serviceAccount: account.email,
      // Access is governed by the account's IAM roles, not by legacy scopes.
      oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      metadata: { 'disable-legacy-endpoints': 'true' },
      labels: { role },
      tags: [nodeTag(names.prefix, role)],
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      workloadMetadataConfig: { mode: 'GKE_METADATA' },
    };

    // The control plane answers only the VPC's node and pod ranges (ArgoCD may run in either cluster).
    const authorizedRanges = CLUSTER_ROLES.flatMap((r) => [
      { cidrBlock: env.clusters[r].nodeCidr, displayName: `${r} nodes` },
      { cidrBlock: env.clusters[r].podCidr, displayName: `${r} pods` },
    ]);

    const cluster = new ContainerCluster(this, `${role}_cluster`, {
      name: names.cluster(role),
      location: env.region,
      nodeLocations: env.zones,
      network: names.networkId,
      subnetwork: names.subnetId(role),
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: { clusterSecondaryRangeName: names.podsRange(role), servicesSecondaryRangeName: names.servicesRange(role) },
      // Node pools are managed separately; the default pool only exists while the cluster is created.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig,
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: settings.masterCidr },
      masterAuthorizedNetworksConfig: { gcpPublicCidrsAccessEnabled: false, cidrBlocks: authorizedRanges },
      workloadIdentityConfig: { workloadPool: `${env.project}.svc.id.goog` },
      // Fleet membership (named after the cluster) for Multi-cluster Services.
      fleet: { project: env.project },
      releaseChannel: { channel: env.releaseChannel },
      enableShieldedNodes: true,
      binaryAuthorization: { evaluationMode: 'PROJECT_SINGLETON_POLICY_ENFORCE' },
      // Dataplane V2 enforces Kubernetes network policies.
      datapathProvider: 'ADVANCED_DATAPATH',
      gatewayApiConfig: { channel: 'CHANNEL_STANDARD' },
      loggingConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
      monitoringConfig: { enableComponents: MONITORED_COMPONENTS, managedPrometheus: { enabled: true } },
      maintenancePolicy: {
        recurringWindow: { startTime: '2025-01-04T01:00:00Z', endTime: '2025-01-04T07:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU' },
      },
      resourceLabels: { role },
      deletionProtection: env.deletionProtection,
      // node_config only shapes the short-lived default pool; the API later reports the remaining pool's.
      lifecycle: { ignoreChanges: ['node_config'] },
    });

    new ContainerNodePool(this, `${role}_pool`, {
      name: 'primary',
      cluster: cluster.id,
      location: env.region,
      nodeLocations: env.zones,
      initialNodeCount: settings.minNodes,
      autoscaling: { minNodeCount: settings.minNodes, maxNodeCount: settings.maxNodes, locationPolicy: 'BALANCED' },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { strategy: 'SURGE', maxSurge: 1, maxUnavailable: 0 },
      nodeConfig,
      // Nodes must be able to log and pull images from their first boot.
      dependsOn: grants,
      // The autoscaler owns the node count after creation.
      lifecycle: { ignoreChanges: ['initial_node_count'] },
    });
  }
}
