import { KUBERNETES_NAMESPACE, SECRETS, SERVICE_LIST, SUBSCRIPTIONS, type Cluster, type ServiceSpec } from '@shop/contracts';
import { CLOUD_SQL_PROXY_REPOSITORY, HEALTH_CHECK_RANGES, namesFor, PRIVATE_GOOGLE_APIS } from '@shop/cdktf';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { ITopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IServiceExport } from '@kubernetes-models/gke/net.gke.io/v1/ServiceExport';
import { CLUSTERS, deployablesOf, environment, imageRepository, type Deployable, type EnvName } from './deployables';

/** Every object the renderer writes; each type is the Kubernetes schema's own. */
export type Manifest =
  | INamespace
  | IServiceAccount
  | IService
  | IDeployment
  | IStatefulSet
  | IHorizontalPodAutoscaler
  | IPodDisruptionBudget
  | INetworkPolicy
  | IJob
  | IServiceExport;

/** One RFC 6902 operation of a Kustomize JSON patch. */
export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export interface KustomizePatch {
  path: string;
  target?: { kind: string; name?: string; labelSelector?: string };
}

export interface KustomizeImage {
  name: string;
  newName: string;
  digest: string;
}

export interface ConfigMapGeneratorArgs {
  name: string;
  literals: string[];
  options: { labels: Record<string, string>; annotations: Record<string, string> };
}

export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  namespace?: string;
  resources: string[];
  components?: string[];
  patches?: KustomizePatch[];
  configMapGenerator?: ConfigMapGeneratorArgs[];
  images?: KustomizeImage[];
}

export interface KustomizeComponent {
  apiVersion: 'kustomize.config.k8s.io/v1alpha1';
  kind: 'Component';
  resources?: string[];
  patches?: KustomizePatch[];
}

export const LABELS = {
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const PART_OF = 'shop';
/** Argo CD applies and reconciles every object; Kustomize only renders them. */
export const MANAGED_BY = 'argocd';

/** Values of `app.kubernetes.io/component`: what a pod or object is for. */
export const COMPONENTS = {
  server: 'server',
  runner: 'streaming-runner',
  migration: 'migration',
  smokeTest: 'smoke-test',
  namespace: 'namespace',
  networkPolicy: 'network-policy',
} as const;

export const ARGOCD = {
  syncWave: 'argocd.argoproj.io/sync-wave',
  hook: 'argocd.argoproj.io/hook',
  hookDeletePolicy: 'argocd.argoproj.io/hook-delete-policy',
  syncOptions: 'argocd.argoproj.io/sync-options',
} as const;

/**
 * Argo CD sync order. Foundation (namespace, config, service accounts, network policies) first,
 * then the migrations, then the workloads; the smoke test runs once everything is healthy.
 */
export const SYNC_WAVES = { foundation: -1, migrations: 0, workloads: 1 } as const;

/**
 * Phase of the migration hook. Argo CD runs every PreSync hook before any Sync-phase resource,
 * whatever its wave, so a PreSync Job could not see this sync's ConfigMap or (on a first sync)
 * its service account. A Sync hook in the wave between foundation and workloads runs exactly
 * between them.
 */
export const MIGRATION_HOOK = 'Sync';
export const SMOKE_TEST_HOOK = 'PostSync';
/** Keeps the last run (and its logs) until the next sync replaces it. */
export const HOOK_DELETE_POLICY = 'BeforeHookCreation';

export const WORKLOAD_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';
export const NEG_ANNOTATION = 'cloud.google.com/neg';

/** Digest the release workflow replaces with the pushed image's (`kustomize edit set image`). */
export const IMAGE_DIGEST_PLACEHOLDER = `sha256:${'0'.repeat(64)}`;
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Cloud SQL Auth Proxy v2, pinned by tag and digest. */
export const CLOUD_SQL_PROXY_IMAGE =
  `${CLOUD_SQL_PROXY_REPOSITORY}:2.14.2@sha256:d3f195cb893f2abb2ce8f28a4d3eee9b5589750711b4fbf67c78ce215c520e96`;
const CLOUD_SQL_PROXY_PORT = 5432;
const CLOUD_SQL_PROXY_HEALTH_PORT = 9090;
/** Port of a Cloud SQL instance's server-side proxy, the only one the Auth Proxy dials. */
export const CLOUD_SQL_SERVER_PORT = 3307;
/** Memorystore with in-transit encryption serves TLS on 6378 only. */
export const MEMORYSTORE_TLS_PORT = 6378;

/** GKE's managed OpenTelemetry collector (OTLP over HTTP, which the kit's exporters speak). */
export const OTLP_COLLECTOR = { namespace: 'gke-managed-otel', endpoint: 'http://opentelemetry-collector.gke-managed-otel.svc.cluster.local:4318', port: 4318 } as const;

/** Google Cloud load balancer proxies and health checks (the network stack opens its firewall to the same ranges). */
export const LOAD_BALANCER_RANGES: readonly string[] = HEALTH_CHECK_RANGES;
/** GKE metadata server under Workload Identity: tokens on :80, and its gRPC side on :988 (Dataplane V2). */
export const GKE_METADATA_SERVER = [
  { cidr: '169.254.169.254/32', port: 80 },
  { cidr: '169.254.169.252/32', port: 988 },
] as const;
/** private.googleapis.com, where the network stack's private DNS zone resolves every Google API. */
export const GOOGLE_APIS_RANGES: readonly string[] = [PRIVATE_GOOGLE_APIS.cidr];
const GOOGLE_APIS_PORT = 443;
const DNS_PORT = 53;

/** Distroless `nonroot`; numeric, so the kubelet can prove runAsNonRoot. */
const NONROOT_UID = 65532;
const PORT_NAME = 'http';
const TMP_VOLUME = 'tmp';

/** How long a service's drain waits for in-flight requests and live streams (`SHUTDOWN_GRACE_MS`). */
export const SHUTDOWN_GRACE_MS = 20_000;
/**
 * Time for endpoint removal to reach every proxy before the process stops accepting: the global
 * load balancer takes longer to stop sending to a NEG endpoint than kube-proxy does.
 */
export const preStopSeconds = (d: Deployable): number => (d.workload === 'StatefulSet' ? 0 : serviceSpec(d.name)?.public ? 15 : 5);
/** Covers the preStop sleep, the drain, and the exporters' final flush. */
export const terminationGraceSeconds = (d: Deployable): number => preStopSeconds(d) + Math.ceil(SHUTDOWN_GRACE_MS / 1000) + 5;

/**
 * HTTP calls between workloads, which the network policies admit and nothing else. The
 * storefront reads the catalog and stock levels and drives carts and checkout; orders reserves
 * stock through the inventory API (its `service` role). Catalog and orders learn the rest from events.
 */
export const CALLS: Readonly<Record<string, readonly string[]>> = {
  storefront: ['catalog', 'inventory', 'orders', 'activity'],
  orders: ['inventory', 'catalog'],
};


/** Workloads that read CSV imports from the imports bucket (the identity stack grants them). */
const IMPORT_READERS: ReadonlySet<string> = new Set(['catalog', 'inventory']);
/** Workloads whose API takes bearer tokens from staff and integrations, and from the workloads that call them. */
const TOKEN_VERIFIERS: ReadonlySet<string> = new Set(['inventory', 'catalog', 'orders', 'activity']);

export const serviceSpec = (name: string): ServiceSpec | undefined => SERVICE_LIST.find((s) => s.name === name);

export const componentOf = (d: Deployable): string => (d.workload === 'StatefulSet' ? COMPONENTS.runner : COMPONENTS.server);

export function labels(name: string, component: string): Record<string, string> {
  return { [LABELS.name]: name, [LABELS.partOf]: PART_OF, [LABELS.component]: component, [LABELS.managedBy]: MANAGED_BY };
}

/** Labels that select a workload's serving pods (never its migration Job's). */
export function selectorLabels(d: Deployable): Record<string, string> {
  return { [LABELS.name]: d.name, [LABELS.component]: componentOf(d) };
}

const wave = (n: number): Record<string, string> => ({ [ARGOCD.syncWave]: String(n) });

// ---------------------------------------------------------------------------------------------
// Containers

const restrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/** Pod Security "restricted" at pod level; containers add their own part. */
function restrictedPodSpec(spec: IPodSpec): IPodSpec {
  return {
    automountServiceAccountToken: false,
    // Service links would add one variable per Service in the namespace to every container.
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: NONROOT_UID,
      runAsGroup: NONROOT_UID,
      fsGroup: NONROOT_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...spec,
    // The root filesystem is read-only; /tmp is the one writable place.
    volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: '256Mi' } }, ...(spec.volumes ?? [])],
  };
}

const tmpMount = { name: TMP_VOLUME, mountPath: '/tmp' };

const configMapName = (name: string): string => `${name}-config`;

/**
 * Cloud SQL Auth Proxy as a native sidecar: it starts (and passes its startup probe) before the
 * app, and stops after it. IAM database authentication, so no password exists anywhere.
 */
export function cloudSqlProxy(name: string): IContainer {
  return {
    name: 'cloud-sql-proxy',
    image: CLOUD_SQL_PROXY_IMAGE,
    restartPolicy: 'Always',
    args: [
      '--private-ip',
      '--auto-iam-authn',
      '--structured-logs',
      `--port=${CLOUD_SQL_PROXY_PORT}`,
      '--health-check',
      '--http-address=0.0.0.0',
      `--http-port=${CLOUD_SQL_PROXY_HEALTH_PORT}`,
      // A finished migration Job ends its proxy with SIGTERM; that is success, not a failure.
      '--exit-zero-on-sigterm',
      '$(CLOUD_SQL_INSTANCE)',
    ],
    env: [{ name: 'CLOUD_SQL_INSTANCE', valueFrom: { configMapKeyRef: { name: configMapName(name), key: 'CLOUD_SQL_INSTANCE' } } }],
    ports: [{ name: 'proxy-health', containerPort: CLOUD_SQL_PROXY_HEALTH_PORT, protocol: 'TCP' }],
    startupProbe: { httpGet: { path: '/startup', port: 'proxy-health' }, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 60 },
    livenessProbe: { httpGet: { path: '/liveness', port: 'proxy-health' }, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    securityContext: restrictedContainerSecurity,
  };
}

const httpProbe = (path: string, periodSeconds: number, failureThreshold: number): IProbe => ({
  httpGet: { path, port: PORT_NAME },
  periodSeconds,
  timeoutSeconds: 2,
  failureThreshold,
});

function appContainer(d: Deployable): IContainer {
  const env: IEnvVar[] = [
    { name: 'SERVICE_NAME', value: d.name },
    { name: 'PORT', value: String(d.port) },
  ];
  if (d.workload === 'StatefulSet') {
    // The pod's ordinal is its shard: replica N pulls the `.shard-N` subscriptions.
    env.push({ name: 'SHARD', valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } } });
    env.push({ name: 'SHARDS', value: String(d.replicas.max) });
  }
  const preStop = preStopSeconds(d);
  return {
    name: d.name,
    image: d.name,
    ports: [{ name: PORT_NAME, containerPort: d.port, protocol: 'TCP' }],
    env,
    envFrom: [{ configMapRef: { name: configMapName(d.name) } }],
    // Up to a minute to start (migrations never run here), then the usual live and ready checks.
    startupProbe: httpProbe(d.probes.live, 2, 30),
    readinessProbe: httpProbe(d.probes.ready, 5, 2),
    livenessProbe: httpProbe(d.probes.live, 10, 3),
    // Distroless has no shell, so the kubelet sleeps instead of a `sleep` command.
    ...(preStop > 0 ? { lifecycle: { preStop: { sleep: { seconds: preStop } } } } : {}),
    resources:
      d.workload === 'StatefulSet'
        ? { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }
        : { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    securityContext: restrictedContainerSecurity,
    volumeMounts: [tmpMount],
  };
}

/**
 * Zones strictly (a zone loss takes at most a third of the pods; nodes tainted as down drop out
 * of the count, so a failed zone never blocks rescheduling), hosts as a preference (a small
 * cluster must still schedule).
 */
function topologySpread(d: Deployable): ITopologySpreadConstraint[] {
  const perRevision = d.workload === 'Deployment' ? { matchLabelKeys: ['pod-template-hash'] } : {};
  return [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: selectorLabels(d) }, ...perRevision },
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels(d) }, ...perRevision },
  ];
}

function workloadPodSpec(d: Deployable): IPodSpec {
  return restrictedPodSpec({
    serviceAccountName: d.name,
    terminationGracePeriodSeconds: terminationGraceSeconds(d),
    topologySpreadConstraints: topologySpread(d),
    ...(d.database !== null ? { initContainers: [cloudSqlProxy(d.name)] } : {}),
    containers: [appContainer(d)],
  });
}

// ---------------------------------------------------------------------------------------------
// Base: one folder per deployable, identical in every environment

/** Name, labels and sync wave of an object that belongs to one deployable. */
const objectMetadata = (d: Deployable, syncWave: number) => ({ name: d.name, labels: labels(d.name, componentOf(d)), annotations: wave(syncWave) });

export function serviceAccount(d: Deployable): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    // The Google service account (per project) is annotated by each overlay.
    metadata: { name: d.name, labels: labels(d.name, componentOf(d)), annotations: wave(SYNC_WAVES.foundation) },
    automountServiceAccountToken: false,
  };
}

/** Replicas are the HPA's: a count here would be reset on every sync and fight the autoscaler. */
export function deployment(d: Deployable): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMetadata(d, SYNC_WAVES.workloads),
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(d) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: { metadata: { labels: labels(d.name, componentOf(d)) }, spec: workloadPodSpec(d) },
    },
  };
}

/** The streaming runner: a fixed replica per shard, each owning its keys, so never autoscaled. */
export function statefulSet(d: Deployable): IStatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: objectMetadata(d, SYNC_WAVES.workloads),
    spec: {
      serviceName: d.name,
      replicas: d.replicas.max,
      // Shards are independent: start and replace them all at once.
      podManagementPolicy: 'Parallel',
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(d) },
      updateStrategy: { type: 'RollingUpdate' },
      template: { metadata: { labels: labels(d.name, componentOf(d)) }, spec: workloadPodSpec(d) },
    },
  };
}

export function service(d: Deployable): IService {
  const headless = d.workload === 'StatefulSet';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMetadata(d, SYNC_WAVES.workloads),
    spec: {
      type: 'ClusterIP',
      // Headless for the runner: each shard has its own name (analytics-0.analytics).
      ...(headless ? { clusterIP: 'None' } : {}),
      selector: selectorLabels(d),
      ports: [{ name: PORT_NAME, port: d.port, targetPort: PORT_NAME, protocol: 'TCP' }],
    },
  };
}

export function horizontalPodAutoscaler(d: Deployable): IHorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMetadata(d, SYNC_WAVES.workloads),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: d.name },
      minReplicas: d.replicas.min,
      maxReplicas: d.replicas.max,
      // The service's own container: the proxy sidecar's CPU says nothing about request load.
      metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: d.name, target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

export function podDisruptionBudget(d: Deployable): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: objectMetadata(d, SYNC_WAVES.workloads),
    spec: {
      // One at a time at any scale (minAvailable 1 would let a drain take all but one).
      maxUnavailable: 1,
      // A pod that is not ready protects nothing; it must not block node drains.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: selectorLabels(d) },
    },
  };
}

const tcp = (port: number): INetworkPolicyPort => ({ protocol: 'TCP', port });
const podsNamed = (names: readonly string[]): INetworkPolicyPeer => ({
  podSelector: { matchExpressions: [{ key: LABELS.name, operator: 'In', values: [...names] }] },
});
const smokeTestPods: INetworkPolicyPeer = { podSelector: { matchLabels: { [LABELS.component]: COMPONENTS.smokeTest } } };
const dnsEgress: INetworkPolicyEgressRule = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: DNS_PORT },
    { protocol: 'TCP', port: DNS_PORT },
  ],
};

const callersOf = (name: string): string[] => Object.keys(CALLS).filter((caller) => CALLS[caller]?.includes(name));
const clusterOf = (name: string): Cluster | undefined => serviceSpec(name)?.cluster;

/**
 * A workload's own policy: who in its cluster may call it (its callers and the smoke test), and
 * where it may go that is the same in every environment: DNS, the metadata server (Workload
 * Identity), Google APIs, and the services it calls in its cluster. Selecting by name alone
 * covers the workload's migration Job, which needs the same egress.
 */
export function networkPolicy(d: Deployable): INetworkPolicy {
  const sameClusterCallers = callersOf(d.name).filter((c) => clusterOf(c) === d.cluster);
  const sameClusterCallees = (CALLS[d.name] ?? []).filter((c) => clusterOf(c) === d.cluster);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: d.name, labels: labels(d.name, COMPONENTS.networkPolicy), annotations: wave(SYNC_WAVES.foundation) },
    spec: {
      podSelector: { matchLabels: { [LABELS.name]: d.name } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [...(sameClusterCallers.length ? [podsNamed(sameClusterCallers)] : []), smokeTestPods], ports: [tcp(d.port)] }],
      egress: [
        dnsEgress,
        ...GKE_METADATA_SERVER.map((m) => ({ to: [{ ipBlock: { cidr: m.cidr } }], ports: [tcp(m.port)] })),
        { to: GOOGLE_APIS_RANGES.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(GOOGLE_APIS_PORT)] },
        ...sameClusterCallees.map((callee) => ({ to: [podsNamed([callee])], ports: [tcp(serviceSpec(callee)?.port ?? d.port)] })),
      ],
    },
  };
}

/** The objects of `k8s/base/<name>/`, one file each, in apply-readable order. */
export function baseManifests(d: Deployable): Record<string, Manifest> {
  const files: Record<string, Manifest> = { 'serviceaccount.yaml': serviceAccount(d) };
  if (d.workload === 'Deployment') {
    files['deployment.yaml'] = deployment(d);
    files['service.yaml'] = service(d);
    files['hpa.yaml'] = horizontalPodAutoscaler(d);
  } else {
    files['statefulset.yaml'] = statefulSet(d);
    files['service.yaml'] = service(d);
  }
  files['pdb.yaml'] = podDisruptionBudget(d);
  files['networkpolicy.yaml'] = networkPolicy(d);
  if (calledAcrossClusters(d)) files['serviceexport.yaml'] = serviceExport(d);
  return files;
}

/** Whether a workload on the other cluster calls this one (through Multi-cluster Services). */
export const calledAcrossClusters = (d: Deployable): boolean => callersOf(d.name).some((caller) => clusterOf(caller) !== d.cluster);

/** Exports the Service to the fleet: callers on the other cluster reach it at <name>.<namespace>.svc.clusterset.local. */
export function serviceExport(d: Deployable): IServiceExport {
  return { apiVersion: 'net.gke.io/v1', kind: 'ServiceExport', metadata: objectMetadata(d, SYNC_WAVES.workloads) };
}

/** The URL a caller uses for a service: in-cluster DNS on the same cluster, the fleet's clusterset DNS across. */
export function serviceUrl(caller: Cluster, callee: ServiceSpec): string {
  const zone = callee.cluster === caller ? 'cluster.local' : 'clusterset.local';
  return `http://${callee.name}.${KUBERNETES_NAMESPACE}.svc.${zone}:${callee.port}`;
}

export function namespace(): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: KUBERNETES_NAMESPACE,
      labels: {
        ...labels(KUBERNETES_NAMESPACE, COMPONENTS.namespace),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
      // Never pruned: if a commit ever dropped it, pruning would delete every workload in it.
      annotations: { ...wave(SYNC_WAVES.foundation), [ARGOCD.syncOptions]: 'Prune=false' },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Components

export const COMPONENT_NAMES = ['edge', 'network-policies', 'opentelemetry', 'migrations'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

const PUBLIC_SERVICES = SERVICE_LIST.filter((s) => s.public);
type DatabaseService = ServiceSpec & { database: string };
const DATABASE_SERVICES = SERVICE_LIST.filter((s): s is DatabaseService => s.database !== null);

/** Components an overlay includes: those with something to act on in its cluster. */
export function componentsOf(env: EnvName, cluster: Cluster): ComponentName[] {
  const here = deployablesOf(env, cluster);
  return COMPONENT_NAMES.filter((c) => {
    if (c === 'edge') return here.some((d) => serviceSpec(d.name)?.public);
    if (c === 'migrations') return here.some((d) => d.database !== null);
    return true;
  });
}

/** Public services admit Google's load balancer proxies and health checks (the NEG endpoints). */
export function edgeIngressPatch(s: ServiceSpec): JsonPatchOperation[] {
  return [{ op: 'add', path: '/spec/ingress/-', value: { from: LOAD_BALANCER_RANGES.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(s.port)] } }];
}

export function defaultDeny(): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', labels: labels('default-deny', COMPONENTS.networkPolicy), annotations: wave(SYNC_WAVES.foundation) },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** Telemetry settings added to every workload's container (the environment comes from its ConfigMap). */
export function openTelemetryPatch(): JsonPatchOperation[] {
  const env: IEnvVar[] = [
    { name: 'OTEL_EXPORTER', value: 'otlp' },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: OTLP_COLLECTOR.endpoint },
    { name: 'OTEL_SERVICE_NAME', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${LABELS.name}']` } } },
    { name: 'K8S_NAMESPACE_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'K8S_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    {
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: 'deployment.environment=$(DEPLOYMENT_ENVIRONMENT),k8s.namespace.name=$(K8S_NAMESPACE_NAME),k8s.pod.name=$(K8S_POD_NAME)',
    },
  ];
  return env.map((value) => ({ op: 'add', path: '/spec/template/spec/containers/0/env/-', value }));
}

export function otlpEgress(): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'otlp-export', labels: labels('otlp-export', COMPONENTS.networkPolicy), annotations: wave(SYNC_WAVES.foundation) },
    spec: {
      podSelector: {
        matchLabels: { [LABELS.partOf]: PART_OF },
        matchExpressions: [{ key: LABELS.component, operator: 'In', values: [COMPONENTS.server, COMPONENTS.runner] }],
      },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': OTLP_COLLECTOR.namespace } } }], ports: [tcp(OTLP_COLLECTOR.port)] }],
    },
  };
}

/** One-shot run of a service's migrations from its own image, through the same proxy. */
export function migrationJob(s: DatabaseService): IJob {
  const name = `${s.name}-migrate`;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      labels: labels(s.name, COMPONENTS.migration),
      annotations: { [ARGOCD.hook]: MIGRATION_HOOK, [ARGOCD.hookDeletePolicy]: HOOK_DELETE_POLICY, ...wave(SYNC_WAVES.migrations) },
    },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: labels(s.name, COMPONENTS.migration) },
        spec: restrictedPodSpec({
          serviceAccountName: s.name,
          restartPolicy: 'Never',
          initContainers: [cloudSqlProxy(s.name)],
          containers: [
            {
              name: 'migrate',
              image: s.name,
              // The image's entrypoint is node (distroless has no shell and no `node` on PATH).
              args: [`services/${s.name}/dist/migrate.js`],
              envFrom: [{ configMapRef: { name: configMapName(s.name) } }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: restrictedContainerSecurity,
              volumeMounts: [tmpMount],
            },
          ],
        }),
      },
    },
  };
}

export interface ComponentFiles {
  kustomization: KustomizeComponent;
  manifests: Record<string, Manifest>;
  patches: Record<string, JsonPatchOperation[]>;
}

export function component(name: ComponentName): ComponentFiles {
  const kind = { apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component' } as const;
  switch (name) {
    case 'edge': {
      const patches = Object.fromEntries(PUBLIC_SERVICES.map((s) => [`${s.name}-ingress.yaml`, edgeIngressPatch(s)]));
      return {
        kustomization: { ...kind, patches: PUBLIC_SERVICES.map((s) => ({ path: `${s.name}-ingress.yaml`, target: { kind: 'NetworkPolicy', name: s.name } })) },
        manifests: {},
        patches,
      };
    }
    case 'network-policies':
      return { kustomization: { ...kind, resources: ['default-deny.yaml'] }, manifests: { 'default-deny.yaml': defaultDeny() }, patches: {} };
    case 'opentelemetry': {
      const selector = `${LABELS.partOf}=${PART_OF}`;
      return {
        kustomization: {
          ...kind,
          resources: ['networkpolicy.yaml'],
          patches: ['Deployment', 'StatefulSet'].map((k) => ({ path: 'env.yaml', target: { kind: k, labelSelector: selector } })),
        },
        manifests: { 'networkpolicy.yaml': otlpEgress() },
        patches: { 'env.yaml': openTelemetryPatch() },
      };
    }
    case 'migrations': {
      const jobs = Object.fromEntries(DATABASE_SERVICES.map((s) => [`${s.name}.yaml`, migrationJob(s)]));
      return { kustomization: { ...kind, resources: Object.keys(jobs) }, manifests: jobs, patches: {} };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Overlays: what one cluster of one environment runs

/** Identity Platform of the environment's project issues the tokens staff and integrations present. */
function tokenSettings(project: string): Record<string, string> {
  return {
    JWKS_URL: 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
    JWT_ISSUER: `https://securetoken.google.com/${project}`,
    JWT_AUDIENCE: project,
  };
}

/** A workload's settings in one environment: plain values and `sm://` references. */
export function workloadConfig(env: EnvName, d: Deployable): Record<string, string> {
  const e = environment(env);
  const names = namesFor(e);
  const config: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: env === 'prod' ? 'info' : 'debug',
    GOOGLE_CLOUD_PROJECT: e.project,
    DEPLOYMENT_ENVIRONMENT: env,
    SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
  };
  const spec = serviceSpec(d.name);
  const usesPubSub = d.workload === 'StatefulSet' || (spec?.publishes.length ?? 0) > 0 || SUBSCRIPTIONS.some((s) => s.consumer === d.name);
  if (usesPubSub) config.PUBSUB_PROJECT_ID = e.project;
  if (d.database !== null) {
    // The proxy logs in as the workload's IAM database user; the app connects to it in the pod.
    config.DATABASE_URL = `postgres://${encodeURIComponent(names.databaseUser(d.name))}@127.0.0.1:${CLOUD_SQL_PROXY_PORT}/${d.database}?sslmode=disable`;
    config.MIGRATE_ON_START = 'false';
    config.CLOUD_SQL_INSTANCE = `${e.project}:${e.region}:${names.sqlInstance}`;
  }
  for (const secret of SECRETS.filter((s) => s.accessors.includes(d.name))) {
    config[secret.setting] = `sm://${secret.name}`;
  }
  if (IMPORT_READERS.has(d.name)) config.IMPORTS_BUCKET = names.bucket.imports;
  if (TOKEN_VERIFIERS.has(d.name)) {
    Object.assign(config, tokenSettings(e.project));
    // Callers present Google ID tokens of their service accounts (Workload Identity) with the `service` role.
    const callers = callersOf(d.name).map((caller) => `${names.workloadAccountEmail(caller)}=service`);
    if (callers.length) config.TRUSTED_WORKLOADS = callers.join(',');
  }
  // The runner writes the analytics dataset; the storefront reads co-views from it.
  if (d.workload === 'StatefulSet' || d.name === 'storefront') config.BIGQUERY_DATASET = names.dataset;
  // The built-in test provider is the only payment provider so far: the checkout page lists its cards.
  if (d.name === 'orders') config.PAYMENT_PROVIDER = 'test';
  if (d.name === 'storefront') config.TEST_PAYMENTS = 'true';
  for (const callee of (CALLS[d.name] ?? []).map(serviceSpec)) {
    if (callee) config[`${callee.name.toUpperCase()}_URL`] = serviceUrl(d.cluster, callee);
  }
  return config;
}

export function workloadIdentityPatch(env: EnvName, d: Deployable): Pick<IServiceAccount, 'apiVersion' | 'kind' | 'metadata'> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: d.name, annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: namesFor(environment(env)).workloadAccountEmail(d.name) } },
  };
}

/** Standalone zonal NEGs with the names the edge stack's backend services point at. */
export function negPatch(env: EnvName, s: ServiceSpec): Pick<IService, 'apiVersion' | 'kind' | 'metadata'> {
  const neg = { exposed_ports: { [String(s.port)]: { name: namesFor(environment(env)).edge.neg(s.name) } } };
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, annotations: { [NEG_ANNOTATION]: JSON.stringify(neg) } } };
}

/**
 * Rules that name the environment's address ranges: Cloud SQL and Memorystore private IPs,
 * and the other cluster's pods (the storefront calls the backend services across clusters,
 * addressed pod to pod, so the backend sees the frontend's pod range).
 */
export function environmentNetworkPolicies(env: EnvName, cluster: Cluster): INetworkPolicy[] {
  const e = environment(env);
  const policies: INetworkPolicy[] = [];
  const policy = (name: string, owner: string, spec: INetworkPolicy['spec']): INetworkPolicy => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, labels: labels(owner, COMPONENTS.networkPolicy), annotations: wave(SYNC_WAVES.foundation) },
    spec,
  });
  for (const d of deployablesOf(env, cluster)) {
    const ports = [...(d.database !== null ? [tcp(CLOUD_SQL_SERVER_PORT)] : []), ...(serviceSpec(d.name)?.redis ? [tcp(MEMORYSTORE_TLS_PORT)] : [])];
    if (ports.length) {
      policies.push(
        policy(`${d.name}-private-services`, d.name, {
          podSelector: { matchLabels: { [LABELS.name]: d.name } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: e.network.privateServicesCidr } }], ports }],
        }),
      );
    }
    for (const other of CLUSTERS.filter((c) => c !== cluster)) {
      const podCidr = e.clusters[other].podCidr;
      const callees = (CALLS[d.name] ?? []).map(serviceSpec).filter((s): s is ServiceSpec => s?.cluster === other);
      if (callees.length) {
        policies.push(
          policy(`${d.name}-to-${other}`, d.name, {
            podSelector: { matchLabels: { [LABELS.name]: d.name } },
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: podCidr } }], ports: [...new Set(callees.map((s) => s.port))].map(tcp) }],
          }),
        );
      }
      if (callersOf(d.name).some((caller) => clusterOf(caller) === other)) {
        policies.push(
          policy(`${d.name}-from-${other}`, d.name, {
            podSelector: { matchLabels: selectorLabels(d) },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ ipBlock: { cidr: podCidr } }], ports: [tcp(d.port)] }],
          }),
        );
      }
    }
  }
  return policies;
}

/** Readiness URL of every pod the overlay runs, through its Service (each shard by name). */
export function smokeTestTargets(env: EnvName, cluster: Cluster): string[] {
  return deployablesOf(env, cluster).flatMap((d) =>
    d.workload === 'StatefulSet'
      ? Array.from({ length: d.replicas.max }, (_, i) => `http://${d.name}-${i}.${d.name}:${d.port}${d.probes.ready}`)
      : [`http://${d.name}:${d.port}${d.probes.ready}`],
  );
}

const SMOKE_TEST = 'smoke-test';

/** Asks every readiness endpoint once, reports each, exits 1 if any failed. */
export function smokeTestScript(targets: readonly string[]): string {
  return [
    `const targets = ${JSON.stringify(targets)};`,
    'const check = async (url) => { const res = await fetch(url, { signal: AbortSignal.timeout(5000) }); if (!res.ok) throw new Error(`${url} answered ${res.status}`); return url; };',
    "Promise.allSettled(targets.map(check)).then((results) => { let failed = 0; for (const r of results) { if (r.status === 'fulfilled') { console.log('ready', r.value); } else { failed++; console.error('not ready', r.reason.message); } } process.exit(failed ? 1 : 0); });",
  ].join(' ');
}

/** After every sync: each workload answers /readyz through its Service, from a service's own image. */
export function smokeTest(env: EnvName, cluster: Cluster): [IJob, INetworkPolicy] {
  const here = deployablesOf(env, cluster);
  const imageOf = here.find((d) => d.workload === 'Deployment') ?? here[0];
  if (!imageOf) throw new Error(`${env}/${cluster} runs nothing to smoke test`);
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: SMOKE_TEST,
      labels: labels(SMOKE_TEST, COMPONENTS.smokeTest),
      annotations: { [ARGOCD.hook]: SMOKE_TEST_HOOK, [ARGOCD.hookDeletePolicy]: HOOK_DELETE_POLICY },
    },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 300,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: labels(SMOKE_TEST, COMPONENTS.smokeTest) },
        spec: restrictedPodSpec({
          restartPolicy: 'Never',
          containers: [
            {
              name: SMOKE_TEST,
              image: imageOf.name,
              // The image's entrypoint is node; fetch is built in, so no other image is needed.
              args: ['-e', smokeTestScript(smokeTestTargets(env, cluster))],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
              securityContext: restrictedContainerSecurity,
              volumeMounts: [tmpMount],
            },
          ],
        }),
      },
    },
  };
  const policy: INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: SMOKE_TEST, labels: labels(SMOKE_TEST, COMPONENTS.networkPolicy), annotations: wave(SYNC_WAVES.foundation) },
    spec: {
      podSelector: { matchLabels: { [LABELS.name]: SMOKE_TEST, [LABELS.component]: COMPONENTS.smokeTest } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [dnsEgress, ...here.map((d) => ({ to: [{ podSelector: { matchLabels: selectorLabels(d) } }], ports: [tcp(d.port)] }))],
    },
  };
  return [job, policy];
}

export interface OverlayFiles {
  kustomization: Kustomization;
  /** Files of the overlay folder besides kustomization.yaml, each one or more documents. */
  documents: Record<string, object[]>;
}

/** Path from an overlay folder to the k8s folder. */
const UP = '../../..';

/** The overlay of one cluster in one environment; `digests` keeps the images the release workflow set. */
export function overlay(env: EnvName, cluster: Cluster, digests: ReadonlyMap<string, string> = new Map()): OverlayFiles {
  const here = deployablesOf(env, cluster);
  const publicHere = here.map((d) => serviceSpec(d.name)).filter((s): s is ServiceSpec => s?.public === true);
  const documents: Record<string, object[]> = {
    'workload-identity.yaml': here.map((d) => workloadIdentityPatch(env, d)),
    'network-policies.yaml': environmentNetworkPolicies(env, cluster),
    'smoke-test.yaml': smokeTest(env, cluster),
  };
  if (publicHere.length) documents['neg.yaml'] = publicHere.map((s) => negPatch(env, s));
  const kustomization: Kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: KUBERNETES_NAMESPACE,
    resources: [`${UP}/base/namespace`, ...here.map((d) => `${UP}/base/${d.name}`), 'network-policies.yaml', 'smoke-test.yaml'],
    components: componentsOf(env, cluster).map((c) => `${UP}/components/${c}`),
    patches: [{ path: 'workload-identity.yaml' }, ...(publicHere.length ? [{ path: 'neg.yaml' }] : [])],
    configMapGenerator: here.map((d) => ({
      name: configMapName(d.name),
      literals: Object.entries(workloadConfig(env, d)).map(([k, v]) => `${k}=${v}`),
      options: { labels: labels(d.name, componentOf(d)), annotations: wave(SYNC_WAVES.foundation) },
    })),
    images: here.map((d) => ({ name: d.name, newName: imageRepository(env, d.name), digest: digests.get(d.name) ?? IMAGE_DIGEST_PLACEHOLDER })),
  };
  return { kustomization, documents };
}
