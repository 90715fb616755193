import type { Construct } from 'constructs';
import { SERVICE_LIST, type Cluster } from '@shop/contracts';
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import { DnsManagedZone } from '@cdktf/provider-google/lib/dns-managed-zone';
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { ComputeSubnetwork, type ComputeSubnetworkSecondaryIpRange } from '@cdktf/provider-google/lib/compute-subnetwork';
import { ServiceNetworkingConnection } from '@cdktf/provider-google/lib/service-networking-connection';
import { HEALTH_CHECK_RANGES, PRIVATE_GOOGLE_APIS } from '../google';
import { PlatformStack, type StackProps } from '../stack';

export { HEALTH_CHECK_RANGES } from '../google';

export const CLUSTER_ROLES: readonly Cluster[] = ['frontend', 'backend'];

/** Network tag of a cluster's nodes; the clusters stack puts it on every node pool. */
export const nodeTag = (prefix: string, role: Cluster): string => `${prefix}-${role}-nodes`;

/** Network tag Dataflow puts on its workers. */
const DATAFLOW_WORKER_TAG = 'dataflow';

/** Custom-mode VPC, subnets with flow logs, Cloud NAT, firewall and the private services peering. */
export class NetworkStack extends PlatformStack {
  constructor(scope: Construct, props: StackProps) {
    super(scope, 'network', props);
    const { env, names } = this;

    const network = new ComputeNetwork(this, 'vpc', {
      name: names.network,
      autoCreateSubnetworks: false,
      routingMode: 'REGIONAL',
    });

    const subnet = (role: Cluster | 'jobs', cidr: string, secondary: ComputeSubnetworkSecondaryIpRange[]) =>
      new ComputeSubnetwork(this, `subnet_${role}`, {
        name: names.subnet(role),
        region: env.region,
        network: network.id,
        ipCidrRange: cidr,
        secondaryIpRange: secondary.length > 0 ? secondary : undefined,
        // Nodes and workers have no public IPs and still reach Google APIs.
        privateIpGoogleAccess: true,
        logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
      });
    for (const role of CLUSTER_ROLES) {
      const cluster = env.clusters[role];
      subnet(role, cluster.nodeCidr, [
        { rangeName: names.podsRange(role), ipCidrRange: cluster.podCidr },
        { rangeName: names.servicesRange(role), ipCidrRange: cluster.serviceCidr },
      ]);
    }
    subnet('jobs', env.network.jobsCidr, []);

    const router = new ComputeRouter(this, 'router', { name: `${names.prefix}-router`, region: env.region, network: network.id });
    new ComputeRouterNat(this, 'nat', {
      name: `${names.prefix}-nat`,
      region: env.region,
      router: router.name,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
      logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    });

    const containerPorts = [...new Set(SERVICE_LIST.map((s) => s.port))].sort((a, b) => a - b).map(String);
    new ComputeFirewall(this, 'allow_health_checks', {
      name: `${names.prefix}-allow-health-checks`,
      description: 'Load balancer health checks and proxies reach the service containers',
      network: network.id,
      direction: 'INGRESS',
      priority: 1000,
      sourceRanges: [...HEALTH_CHECK_RANGES],
      targetTags: CLUSTER_ROLES.map((role) => nodeTag(names.prefix, role)),
      allow: [{ protocol: 'tcp', ports: containerPorts }],
      logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
    });
    // GKE's own rules admit each cluster's pods to its own nodes only; the storefront calls the
    // backend services across clusters (Multi-cluster Services), on their container ports only.
    new ComputeFirewall(this, 'allow_frontend_to_backend', {
      name: `${names.prefix}-allow-frontend-to-backend`,
      description: 'Frontend pods call the backend services across clusters',
      network: network.id,
      direction: 'INGRESS',
      priority: 1000,
      sourceRanges: [env.clusters.frontend.podCidr],
      targetTags: [nodeTag(names.prefix, 'backend')],
      allow: [{ protocol: 'tcp', ports: containerPorts }],
      logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
    });
    if (env.streaming.runner === 'dataflow') {
      new ComputeFirewall(this, 'allow_dataflow_workers', {
        name: `${names.prefix}-allow-dataflow-workers`,
        description: 'Dataflow streaming workers exchange shuffle data with each other',
        network: network.id,
        direction: 'INGRESS',
        priority: 1000,
        sourceTags: [DATAFLOW_WORKER_TAG],
        targetTags: [DATAFLOW_WORKER_TAG],
        allow: [{ protocol: 'tcp', ports: ['12345-12346'] }],
      });
    }
    // Explicit, logged version of the implied deny; GKE's own rules (priority 1000) still apply.
    new ComputeFirewall(this, 'deny_all_ingress', {
      name: `${names.prefix}-deny-all-ingress`,
      description: 'Deny and log every other ingress',
      network: network.id,
      direction: 'INGRESS',
      priority: 65534,
      sourceRanges: ['0.0.0.0/0'],
      deny: [{ protocol: 'all' }],
      logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
    });

    // Google APIs resolve to private.googleapis.com inside the VPC, so workloads' egress policies
    // need to allow only that range, and API traffic never leaves Google's network.
    const googleApis = new DnsManagedZone(this, 'googleapis_zone', {
      name: `${names.prefix}-googleapis`,
      dnsName: 'googleapis.com.',
      description: 'Google APIs over Private Google Access',
      visibility: 'private',
      privateVisibilityConfig: { networks: [{ networkUrl: network.id }] },
    });
    new DnsRecordSet(this, 'googleapis_private', {
      managedZone: googleApis.name,
      name: `${PRIVATE_GOOGLE_APIS.host}.`,
      type: 'A',
      ttl: 300,
      rrdatas: [...PRIVATE_GOOGLE_APIS.addresses],
    });
    new DnsRecordSet(this, 'googleapis_wildcard', {
      managedZone: googleApis.name,
      name: '*.googleapis.com.',
      type: 'CNAME',
      ttl: 300,
      rrdatas: [`${PRIVATE_GOOGLE_APIS.host}.`],
    });

    const [privateAddress = '', privatePrefix = ''] = env.network.privateServicesCidr.split('/');
    const privateServices = new ComputeGlobalAddress(this, 'private_services_range', {
      name: names.privateServicesRange,
      description: 'Peered to Google for Cloud SQL and Memorystore private IPs',
      network: network.id,
      purpose: 'VPC_PEERING',
      addressType: 'INTERNAL',
      address: privateAddress,
      prefixLength: Number(privatePrefix),
    });
    new ServiceNetworkingConnection(this, 'private_services', {
      network: network.id,
      service: 'servicenetworking.googleapis.com',
      reservedPeeringRanges: [privateServices.name],
      // Google keeps the peering for days after Cloud SQL is deleted; abandoning lets destroy finish.
      deletionPolicy: 'ABANDON',
    });
  }
}
