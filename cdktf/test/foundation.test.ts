import { SERVICE_LIST } from '@shop/contracts';
import { namesFor } from '../src/names';
import { APPLY_ROLES, BootstrapStack, PLAN_ROLES, PLAN_EXTRA_PERMISSIONS, REQUIRED_APIS } from '../src/stacks/bootstrap';
import { ClustersStack, NODE_ROLES } from '../src/stacks/clusters';
import { CLUSTER_ROLES, HEALTH_CHECK_RANGES, NetworkStack, nodeTag } from '../src/stacks/network';
import { environment, onlyResource, resourcesOf, resourceTypes, synthesize, type Attributes, type StackClass, type Synthesized } from './support';

const ENVS = ['dev', 'prod'] as const;
type Rule = { protocol: string; ports?: string[] };
type Firewall = Attributes & { direction: string; priority: number; source_ranges?: string[]; source_tags?: string[]; target_tags?: string[]; allow?: Rule[]; deny?: Rule[] };

const cache = new Map<string, Synthesized>();
const synth = (Stack: StackClass, env: 'dev' | 'prod'): Synthesized => {
  const key = `${Stack.name}:${env}`;
  if (!cache.has(key)) cache.set(key, synthesize(Stack, env));
  return cache.get(key)!;
};
const byName = (s: Synthesized, type: string, name: string): Attributes => {
  const found = resourcesOf(s, type).filter(([, r]) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0]![1];
};
/** Every IAM grant in a stack: the member and role of each *_iam_* resource. */
const iamGrants = (s: Synthesized): Array<{ type: string; role: unknown; member: unknown }> =>
  resourceTypes(s)
    .filter((t) => t.includes('_iam_'))
    .flatMap((type) => resourcesOf(s, type).map(([, r]) => ({ type, role: r.role, member: r.member })));

describe.each(ENVS)('bootstrap stack (%s)', (envName) => {
  const env = environment(envName);
  const s = synth(BootstrapStack, envName);

  it('enables every API the platform uses and never disables one on destroy', () => {
    const services = resourcesOf(s, 'google_project_service').map(([, r]) => r);
    const expected = ['container', 'sqladmin', 'redis', 'pubsub', 'bigquery', 'dataflow', 'compute', 'servicenetworking', 'secretmanager', 'artifactregistry', 'iamcredentials', 'sts', 'monitoring', 'logging', 'cloudresourcemanager', 'binaryauthorization', 'dns', 'gkehub', 'multiclusterservicediscovery', 'trafficdirector'];
    expect(services.map((r) => r.service)).toEqual(expect.arrayContaining(expected.map((api) => `${api}.googleapis.com`)));
    expect(services.map((r) => r.service).sort()).toEqual([...REQUIRED_APIS].sort());
    for (const r of services) expect(r).toMatchObject({ project: env.project, disable_on_destroy: false });
  });

  it('keeps Terraform state in a private, versioned bucket that Terraform never empties', () => {
    const bucket = onlyResource(s, 'google_storage_bucket');
    expect(bucket).toMatchObject({
      name: env.stateBucket,
      location: env.region,
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      force_destroy: false,
      versioning: { enabled: true },
    });
    expect(bucket.lifecycle_rule).toEqual([{ action: { type: 'Delete' }, condition: { with_state: 'ARCHIVED', num_newer_versions: expect.any(Number) } }]);
    expect((bucket.lifecycle as Attributes).prevent_destroy).toBe(env.deletionProtection);
  });

  it('gives the infrastructure workflow a read-only planner and an applier without basic roles', () => {
    const names = namesFor(env);
    expect(resourcesOf(s, 'google_service_account').map(([, r]) => r.account_id).sort()).toEqual([names.terraformAccountId('apply'), names.terraformAccountId('plan')]);
    const rolesOf = (id: string) =>
      resourcesOf(s, 'google_project_iam_member')
        .filter(([, r]) => r.member === `serviceAccount:\${google_service_account.${id}.email}`)
        .map(([, r]) => String(r.role))
        .sort();
    const custom = onlyResource(s, 'google_project_iam_custom_role');
    expect(custom.permissions).toEqual([...PLAN_EXTRA_PERMISSIONS]);
    expect(rolesOf('terraform_plan')).toEqual([...PLAN_ROLES, '${google_project_iam_custom_role.terraform_plan_reads.name}'].sort());
    // Viewer and reader roles only: nothing the planner holds can change a resource.
    for (const role of PLAN_ROLES) expect(role).toMatch(/\.(viewer|reader|metadataViewer|clusterViewer|securityReviewer|serviceAccountViewer|workloadIdentityPoolViewer|serviceUsageViewer)$/i);
    expect(rolesOf('terraform_apply')).toEqual([...APPLY_ROLES].sort());
    for (const role of [...PLAN_ROLES, ...APPLY_ROLES]) expect(['roles/owner', 'roles/editor', 'roles/viewer']).not.toContain(role);
    const state = resourcesOf(s, 'google_storage_bucket_iam_member').map(([, r]) => `${String(r.member)} ${String(r.role)}`).sort();
    expect(state).toEqual([
      'serviceAccount:${google_service_account.terraform_apply.email} roles/storage.objectAdmin',
      'serviceAccount:${google_service_account.terraform_plan.email} roles/storage.objectViewer',
    ]);
    for (const [, grant] of resourcesOf(s, 'google_storage_bucket_iam_member')) expect(grant.bucket).toBe('${google_storage_bucket.state_bucket.name}');
  });

  it('matches its snapshot', () => expect(s).toMatchSnapshot());
});

describe.each(ENVS)('network stack (%s)', (envName) => {
  const env = environment(envName);
  const names = namesFor(env);
  const s = synth(NetworkStack, envName);
  const firewalls = resourcesOf(s, 'google_compute_firewall').map(([, r]) => r as Firewall);

  it('is a custom-mode, regional VPC', () => {
    expect(onlyResource(s, 'google_compute_network')).toMatchObject({ name: names.network, auto_create_subnetworks: false, routing_mode: 'REGIONAL' });
  });

  it('resolves every Google API name to private.googleapis.com inside the VPC only', () => {
    const zone = onlyResource(s, 'google_dns_managed_zone');
    expect(zone).toMatchObject({ dns_name: 'googleapis.com.', visibility: 'private', private_visibility_config: { networks: [{ network_url: '${google_compute_network.vpc.id}' }] } });
    const records = resourcesOf(s, 'google_dns_record_set').map(([, r]) => r);
    expect(records.map((r) => `${String(r.name)} ${String(r.type)} ${(r.rrdatas as string[]).join(',')}`).sort()).toEqual([
      '*.googleapis.com. CNAME private.googleapis.com.',
      'private.googleapis.com. A 199.36.153.8,199.36.153.9,199.36.153.10,199.36.153.11',
    ]);
    for (const r of records) expect(r.managed_zone).toBe('${google_dns_managed_zone.googleapis_zone.name}');
  });

  it('has the three subnets with private Google access and flow logs on every one', () => {
    const subnets = resourcesOf(s, 'google_compute_subnetwork').map(([, r]) => r);
    expect(subnets.map((r) => r.name).sort()).toEqual([names.subnet('backend'), names.subnet('frontend'), names.subnet('jobs')].sort());
    for (const subnet of subnets) {
      expect(subnet).toMatchObject({ region: env.region, private_ip_google_access: true, network: '${google_compute_network.vpc.id}' });
      expect(subnet.log_config).toEqual({ aggregation_interval: expect.stringMatching(/^INTERVAL_/), flow_sampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' });
    }
    expect(byName(s, 'google_compute_subnetwork', names.subnet('jobs'))).toMatchObject({ ip_cidr_range: env.network.jobsCidr });
    expect(byName(s, 'google_compute_subnetwork', names.subnet('jobs')).secondary_ip_range).toBeUndefined();
  });

  it.each(CLUSTER_ROLES)('gives the %s cluster subnet its node range and named pod and service ranges', (role) => {
    const cluster = env.clusters[role];
    expect(byName(s, 'google_compute_subnetwork', names.subnet(role))).toMatchObject({
      ip_cidr_range: cluster.nodeCidr,
      secondary_ip_range: [
        { range_name: names.podsRange(role), ip_cidr_range: cluster.podCidr },
        { range_name: names.servicesRange(role), ip_cidr_range: cluster.serviceCidr },
      ],
    });
  });

  it('gives private nodes egress through Cloud NAT on every subnet, logging errors', () => {
    const router = onlyResource(s, 'google_compute_router');
    expect(router).toMatchObject({ region: env.region, network: '${google_compute_network.vpc.id}' });
    expect(onlyResource(s, 'google_compute_router_nat')).toMatchObject({
      router: '${google_compute_router.router.name}',
      region: env.region,
      nat_ip_allocate_option: 'AUTO_ONLY',
      source_subnetwork_ip_ranges_to_nat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
      log_config: { enable: true, filter: 'ERRORS_ONLY' },
    });
  });

  it('lets Google health checks reach the nodes, and the frontend pods the backend nodes, on the contracts container ports only', () => {
    const ports = [...new Set(SERVICE_LIST.map((svc) => String(svc.port)))];
    const fromRanges = firewalls.filter((f) => f.allow && f.source_ranges);
    expect(fromRanges).toHaveLength(2);
    const crossCluster = fromRanges.filter((f) => f.source_ranges?.includes(env.clusters.frontend.podCidr));
    expect(crossCluster).toEqual([
      expect.objectContaining({ direction: 'INGRESS', source_ranges: [env.clusters.frontend.podCidr], target_tags: [nodeTag(names.prefix, 'backend')], allow: [{ protocol: 'tcp', ports }] }),
    ]);
    const healthChecks = fromRanges.filter((f) => !crossCluster.includes(f));
    expect(healthChecks[0]).toMatchObject({
      direction: 'INGRESS',
      source_ranges: HEALTH_CHECK_RANGES,
      target_tags: CLUSTER_ROLES.map((role) => nodeTag(names.prefix, role)),
      allow: [{ protocol: 'tcp', ports }],
    });
    expect([...HEALTH_CHECK_RANGES].sort()).toEqual(['130.211.0.0/22', '35.191.0.0/16']);
  });

  it('allows nothing from anywhere: every other allow is tag to tag, and the rest is denied and logged', () => {
    for (const f of firewalls) {
      expect(f.direction).toBe('INGRESS');
      if (f.allow) {
        expect(f.source_ranges ?? []).not.toContain('0.0.0.0/0');
        for (const range of f.source_ranges ?? []) expect([...HEALTH_CHECK_RANGES, env.clusters.frontend.podCidr]).toContain(range);
        expect(f.target_tags?.length).toBeGreaterThan(0);
        for (const rule of f.allow) expect(rule.protocol).not.toBe('all');
      }
    }
    const denies = firewalls.filter((f) => f.deny);
    expect(denies).toHaveLength(1);
    expect(denies[0]).toMatchObject({ source_ranges: ['0.0.0.0/0'], deny: [{ protocol: 'all' }], priority: 65534, log_config: { metadata: 'INCLUDE_ALL_METADATA' } });
    for (const f of firewalls.filter((f) => f.allow)) expect(f.priority).toBeLessThan(65534);
  });

  it('opens Dataflow worker-to-worker ports only where Dataflow runs', () => {
    const dataflow = firewalls.filter((f) => f.source_tags);
    if (env.streaming.runner === 'dataflow') {
      expect(dataflow).toEqual([expect.objectContaining({ source_tags: ['dataflow'], target_tags: ['dataflow'], allow: [{ protocol: 'tcp', ports: ['12345-12346'] }] })]);
    } else {
      expect(dataflow).toEqual([]);
    }
  });

  it('peers the private services range to Google for Cloud SQL and Memorystore', () => {
    const [address, prefix] = env.network.privateServicesCidr.split('/');
    expect(onlyResource(s, 'google_compute_global_address')).toMatchObject({
      name: names.privateServicesRange,
      purpose: 'VPC_PEERING',
      address_type: 'INTERNAL',
      address,
      prefix_length: Number(prefix),
      network: '${google_compute_network.vpc.id}',
    });
    expect(onlyResource(s, 'google_service_networking_connection')).toMatchObject({
      network: '${google_compute_network.vpc.id}',
      service: 'servicenetworking.googleapis.com',
      reserved_peering_ranges: ['${google_compute_global_address.private_services_range.name}'],
    });
  });

  it('creates the network names the other stacks refer to', () => {
    expect(names.networkId).toBe(`projects/${env.project}/global/networks/${onlyResource(s, 'google_compute_network').name}`);
    for (const role of [...CLUSTER_ROLES, 'jobs' as const]) {
      expect(names.subnetId(role)).toBe(`projects/${env.project}/regions/${env.region}/subnetworks/${byName(s, 'google_compute_subnetwork', names.subnet(role)).name}`);
    }
  });

  it('matches its snapshot', () => expect(s).toMatchSnapshot());
});

describe.each(ENVS)('clusters stack (%s)', (envName) => {
  const env = environment(envName);
  const names = namesFor(env);
  const s = synth(ClustersStack, envName);
  const accountRef = (role: string) => `\${google_service_account.${role}_nodes.email}`;

  it('gives each cluster a dedicated node account with only the node roles, all additive', () => {
    expect(resourcesOf(s, 'google_service_account').map(([, r]) => r.account_id).sort()).toEqual(CLUSTER_ROLES.map((r) => names.nodeServiceAccount(r)).sort());
    for (const role of CLUSTER_ROLES) {
      const member = `serviceAccount:${accountRef(role)}`;
      const projectRoles = resourcesOf(s, 'google_project_iam_member').filter(([, r]) => r.member === member).map(([, r]) => r.role);
      expect(projectRoles.sort()).toEqual([...NODE_ROLES].sort());
    }
    // The registry and its reader grants belong to the identity stack, which is applied after this one.
    expect(resourcesOf(s, 'google_artifact_registry_repository_iam_member')).toEqual([]);
    expect(resourcesOf(s, 'google_project_iam_member').every(([, r]) => r.project === env.project)).toBe(true);
  });

  it('joins both clusters to the project fleet with Multi-cluster Services and its importer\'s network read', () => {
    for (const role of CLUSTER_ROLES) expect(byName(s, 'google_container_cluster', names.cluster(role)).fleet).toEqual({ project: env.project });
    expect(onlyResource(s, 'google_gke_hub_feature')).toMatchObject({ name: 'multiclusterservicediscovery', location: 'global', project: env.project });
    const importer = resourcesOf(s, 'google_project_iam_member').filter(([, r]) => String(r.member).includes('gke-mcs-importer')).map(([, r]) => r);
    expect(importer).toEqual([{ project: env.project, role: 'roles/compute.networkViewer', member: `serviceAccount:${env.project}.svc.id.goog[gke-mcs/gke-mcs-importer]` }]);
  });

  it('admits only this environment\'s registry, the Cloud SQL proxy and Google system images, blocking the rest', () => {
    expect(onlyResource(s, 'google_binary_authorization_policy')).toMatchObject({
      project: env.project,
      global_policy_evaluation_mode: 'ENABLE',
      admission_whitelist_patterns: [{ name_pattern: `${env.region}-docker.pkg.dev/${env.project}/${names.registry}/*` }, { name_pattern: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy*' }],
      default_admission_rule: { evaluation_mode: 'ALWAYS_DENY', enforcement_mode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' },
    });
    for (const role of CLUSTER_ROLES) {
      expect(byName(s, 'google_container_cluster', names.cluster(role)).binary_authorization).toEqual({ evaluation_mode: 'PROJECT_SINGLETON_POLICY_ENFORCE' });
    }
  });

  it.each(CLUSTER_ROLES)('runs the %s cluster regional, VPC-native and private, with a closed control plane', (role) => {
    const cluster = byName(s, 'google_container_cluster', names.cluster(role));
    expect(cluster).toMatchObject({
      location: env.region,
      node_locations: env.zones,
      network: names.networkId,
      subnetwork: names.subnetId(role),
      networking_mode: 'VPC_NATIVE',
      ip_allocation_policy: { cluster_secondary_range_name: names.podsRange(role), services_secondary_range_name: names.servicesRange(role) },
      remove_default_node_pool: true,
      initial_node_count: 1,
      private_cluster_config: { enable_private_nodes: true, enable_private_endpoint: false, master_ipv4_cidr_block: env.clusters[role].masterCidr },
      master_authorized_networks_config: { gcp_public_cidrs_access_enabled: false },
    });
    const blocks = (cluster.master_authorized_networks_config as { cidr_blocks: Array<{ cidr_block: string }> }).cidr_blocks.map((b) => b.cidr_block);
    const vpcRanges = CLUSTER_ROLES.flatMap((r) => [env.clusters[r].nodeCidr, env.clusters[r].podCidr]);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(vpcRanges).toContain(block);
  });

  it.each(CLUSTER_ROLES)('hardens the %s cluster: Workload Identity, shielded nodes, Binary Authorization, Dataplane V2', (role) => {
    const cluster = byName(s, 'google_container_cluster', names.cluster(role));
    expect(cluster).toMatchObject({
      workload_identity_config: { workload_pool: `${env.project}.svc.id.goog` },
      enable_shielded_nodes: true,
      binary_authorization: { evaluation_mode: 'PROJECT_SINGLETON_POLICY_ENFORCE' },
      datapath_provider: 'ADVANCED_DATAPATH',
      release_channel: { channel: env.releaseChannel },
      gateway_api_config: { channel: 'CHANNEL_STANDARD' },
      logging_config: { enable_components: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
      monitoring_config: { enable_components: expect.arrayContaining(['SYSTEM_COMPONENTS']), managed_prometheus: { enabled: true } },
      maintenance_policy: { recurring_window: expect.objectContaining({ recurrence: expect.stringContaining('FREQ=') }) },
      deletion_protection: env.deletionProtection,
    });
    // Even the short-lived default pool runs as the dedicated account, never the Compute default.
    expect(cluster.node_config).toMatchObject({ service_account: accountRef(role), workload_metadata_config: { mode: 'GKE_METADATA' } });
  });

  it.each(CLUSTER_ROLES)('autoscales the %s node pool across the zones with hardened, dedicated nodes', (role) => {
    const pools = resourcesOf(s, 'google_container_node_pool').filter(([, r]) => r.cluster === `\${google_container_cluster.${role}_cluster.id}`);
    expect(pools).toHaveLength(1);
    const [, pool] = pools[0]!;
    const settings = env.clusters[role];
    expect(pool).toMatchObject({
      location: env.region,
      node_locations: env.zones,
      autoscaling: { min_node_count: settings.minNodes, max_node_count: settings.maxNodes, location_policy: 'BALANCED' },
      management: { auto_repair: true, auto_upgrade: true },
      upgrade_settings: { strategy: 'SURGE', max_surge: 1, max_unavailable: 0 },
      node_config: {
        machine_type: settings.machineType,
        service_account: accountRef(role),
        oauth_scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        workload_metadata_config: { mode: 'GKE_METADATA' },
        shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
        disk_type: 'pd-balanced',
        metadata: { 'disable-legacy-endpoints': 'true' },
        labels: { role },
        tags: [nodeTag(names.prefix, role)],
      },
    });
    expect(env.zones.length).toBeGreaterThan(1);
    // Nodes start only once they can write logs and metrics.
    expect(pool.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_project_iam_member\./)]));
  });

  it('matches its snapshot', () => expect(s).toMatchSnapshot());
});

describe('deletion protection follows the environment', () => {
  it('protects prod clusters and state, and lets dev be torn down', () => {
    for (const envName of ENVS) {
      const protect = environment(envName).deletionProtection;
      for (const [, cluster] of resourcesOf(synth(ClustersStack, envName), 'google_container_cluster')) expect(cluster.deletion_protection).toBe(protect);
      expect((onlyResource(synth(BootstrapStack, envName), 'google_storage_bucket').lifecycle as Attributes).prevent_destroy).toBe(protect);
    }
    expect(environment('prod').deletionProtection).toBe(true);
    expect(environment('dev').deletionProtection).toBe(false);
  });
});

describe('IAM in the foundation stacks', () => {
  const stacks = ENVS.flatMap((env) => [BootstrapStack, NetworkStack, ClustersStack].map((Stack) => synth(Stack, env)));

  it('grants by additive members only, never bindings or policies', () => {
    for (const s of stacks) {
      for (const type of resourceTypes(s).filter((t) => t.includes('_iam_'))) expect(type).toMatch(/_iam_(member|custom_role)$/);
    }
  });

  it('grants no basic roles and nothing to the public', () => {
    for (const grant of stacks.flatMap(iamGrants)) {
      expect(['roles/owner', 'roles/editor', 'roles/viewer']).not.toContain(grant.role);
      expect(String(grant.member)).not.toMatch(/allUsers|allAuthenticatedUsers/);
    }
  });

  it('has no public bucket', () => {
    for (const s of stacks) {
      for (const [, bucket] of resourcesOf(s, 'google_storage_bucket')) expect(bucket).toMatchObject({ public_access_prevention: 'enforced', uniform_bucket_level_access: true });
    }
  });
});
