import { z } from 'zod';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ANALYTICS_JOB, CONTAINER_PORT, KUBERNETES_NAMESPACE, SECRETS, SERVICE_LIST, type Cluster } from '@shop/contracts';
import { HEALTH_CHECK_RANGES, namesFor } from '@shop/cdktf';
import { Router } from 'express';
import { baseConfigSchema, createHttpApp, createLogger, listen } from '@shop/kit';
import { activityConfigSchema } from '@shop/activity';
import { catalogConfigSchema } from '@shop/catalog';
import { analyticsConfigSchema } from '@shop/dataflow';
import { inventoryConfigSchema } from '@shop/inventory';
import { ordersConfigSchema } from '@shop/orders';
import { storefrontConfigSchema } from '@shop/storefront';
import {
  ARGOCD,
  CALLS,
  CLOUD_SQL_PROXY_IMAGE,
  CLOUD_SQL_SERVER_PORT,
  CLUSTERS,
  COMPONENTS,
  committedDigests,
  componentsOf,
  DEPLOYABLES,
  deployablesOf,
  ENV_NAMES,
  environment,
  filesOnDisk,
  GENERATED_HEADER,
  GKE_METADATA_SERVER,
  GOOGLE_APIS_RANGES,
  IMAGE_DIGEST,
  IMAGE_DIGEST_PLACEHOLDER,
  imageRepository,
  LABELS,
  LOAD_BALANCER_RANGES,
  MANAGED_BY,
  MEMORYSTORE_TLS_PORT,
  MIGRATION_HOOK,
  NEG_ANNOTATION,
  OTLP_COLLECTOR,
  overlayPath,
  PART_OF,
  renderFiles,
  SHUTDOWN_GRACE_MS,
  SMOKE_TEST_HOOK,
  SYNC_WAVES,
  WORKLOAD_IDENTITY_ANNOTATION,
  type Deployable,
  type EnvName,
} from '../src';
import {
  find,
  kustomize,
  kustomizeWithComponents,
  modelFor,
  podTemplateOf,
  prepareSchemas,
  REPO_ROOT,
  schemaErrors,
  type Container,
  type KubeObject,
  type PodTemplate,
} from './support';

interface Overlay {
  env: EnvName;
  cluster: Cluster;
  dir: string;
}

const OVERLAYS: Overlay[] = ENV_NAMES.flatMap((env) => CLUSTERS.map((cluster) => ({ env, cluster, dir: overlayPath(env, cluster) })));

const builds = new Map<string, KubeObject[]>();
function build(o: Overlay): KubeObject[] {
  let objects = builds.get(o.dir);
  if (!objects) {
    objects = kustomize(o.dir);
    builds.set(o.dir, objects);
  }
  return objects;
}

// ------------------------------------------------------------------------------------------------
// Reading rendered objects

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
interface PolicyPort {
  protocol?: string;
  port?: number | string;
}
interface PolicyPeer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyRule {
  to?: PolicyPeer[];
  from?: PolicyPeer[];
  ports?: PolicyPort[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; configMapKeyRef?: { name: string; key: string } };
}

function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator === 'In') return value !== undefined && (e.values ?? []).includes(value);
    if (e.operator === 'NotIn') return value === undefined || !(e.values ?? []).includes(value);
    if (e.operator === 'Exists') return value !== undefined;
    if (e.operator === 'DoesNotExist') return value === undefined;
    return false;
  });
  return byLabels && byExpressions;
}

const policies = (objects: readonly KubeObject[]) => objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => ({ name: o.metadata.name, spec: o.spec as PolicySpec }));
const policiesFor = (objects: readonly KubeObject[], podLabels: Record<string, string>) => policies(objects).filter((p) => selects(p.spec.podSelector, podLabels));

/** Whether some rule admits traffic to/from a peer the predicate accepts, on that protocol and port. */
function admits(rules: readonly PolicyRule[], side: 'to' | 'from', peer: (p: PolicyPeer) => boolean, protocol: string, port: number): boolean {
  return rules.some((r) => (r[side] ?? []).some(peer) && (r.ports ?? []).some((p) => (p.protocol ?? 'TCP') === protocol && p.port === port));
}
const cidrPeer = (cidr: string) => (p: PolicyPeer) => p.ipBlock?.cidr === cidr && !p.ipBlock.except;
const podPeer = (labels: Record<string, string>) => (p: PolicyPeer) => !p.namespaceSelector && !p.ipBlock && selects(p.podSelector, labels);

const workloads = (objects: readonly KubeObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const podLabels = (o: KubeObject): Record<string, string> => podTemplateOf(o)?.metadata?.labels ?? {};
const containersOf = (t: PodTemplate): Container[] => [...(t.spec.initContainers ?? []), ...t.spec.containers];
const mainContainer = (o: KubeObject): Container => {
  const c = podTemplateOf(o)?.spec.containers[0];
  if (!c) throw new Error(`${o.kind}/${o.metadata.name} has no container`);
  return c;
};

/** The environment a container starts with: its ConfigMaps, then its own variables with $(VAR) expanded. */
function containerEnvironment(objects: readonly KubeObject[], c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of (c.envFrom as { configMapRef?: { name: string } }[] | undefined) ?? []) {
    const name = from.configMapRef?.name;
    const cm = name ? find(objects, 'ConfigMap', name) : undefined;
    if (!cm) throw new Error(`${c.name}: envFrom ConfigMap ${name} is not in the build`);
    Object.assign(env, cm.data as Record<string, string>);
  }
  for (const v of (c.env as EnvVar[] | undefined) ?? []) {
    if (v.value !== undefined) env[v.name] = v.value.replace(/\$\(([A-Z0-9_]+)\)/g, (whole, ref: string) => env[ref] ?? whole);
    else if (v.valueFrom?.fieldRef) env[v.name] = `<${v.valueFrom.fieldRef.fieldPath}>`;
    else if (v.valueFrom?.configMapKeyRef) {
      const cm = find(objects, 'ConfigMap', v.valueFrom.configMapKeyRef.name);
      const value = (cm?.data as Record<string, string> | undefined)?.[v.valueFrom.configMapKeyRef.key];
      if (value === undefined) throw new Error(`${c.name}: ${v.name} refers to a missing ConfigMap key`);
      env[v.name] = value;
    }
  }
  return env;
}

const IMAGE = /^([a-z0-9][a-z0-9./-]*)(?::([\w][\w.-]*))?@(sha256:[0-9a-f]{64})$/;

// ------------------------------------------------------------------------------------------------
// Policies every build must keep, whatever components it includes

/** Pod Security "restricted", plus the platform's own rules for every pod. */
function podViolations(o: KubeObject, env: EnvName, here: readonly Deployable[]): string[] {
  const where = `${o.kind}/${o.metadata.name}`;
  const t = podTemplateOf(o);
  if (!t) return [];
  const v: string[] = [];
  const spec = t.spec as PodTemplate['spec'] & {
    automountServiceAccountToken?: boolean;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
    volumes?: Record<string, unknown>[];
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
  };
  if (spec.automountServiceAccountToken !== false) v.push(`${where}: service account token is automounted`);
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) v.push(`${where}: uses host namespaces`);
  const allowedVolumes = new Set(['name', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
  for (const vol of spec.volumes ?? []) for (const key of Object.keys(vol)) if (!allowedVolumes.has(key)) v.push(`${where}: volume type ${key} is not allowed`);
  const tmp = (spec.volumes ?? []).find((vol) => vol.emptyDir !== undefined);
  for (const c of containersOf(t)) {
    const at = `${where} ${c.name}`;
    const sc = (c.securityContext ?? {}) as {
      allowPrivilegeEscalation?: boolean;
      readOnlyRootFilesystem?: boolean;
      runAsNonRoot?: boolean;
      runAsUser?: number;
      privileged?: boolean;
      capabilities?: { drop?: string[]; add?: string[] };
      seccompProfile?: { type: string };
    };
    if (sc.allowPrivilegeEscalation !== false) v.push(`${at}: privilege escalation not disabled`);
    if (sc.readOnlyRootFilesystem !== true) v.push(`${at}: root filesystem is writable`);
    if (sc.privileged) v.push(`${at}: privileged`);
    if (!sc.capabilities?.drop?.includes('ALL')) v.push(`${at}: capabilities not all dropped`);
    if ((sc.capabilities?.add ?? []).length) v.push(`${at}: adds capabilities`);
    if ((sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) !== true) v.push(`${at}: may run as root`);
    if ((sc.runAsUser ?? spec.securityContext?.runAsUser) === 0) v.push(`${at}: runs as uid 0`);
    if ((sc.seccompProfile ?? spec.securityContext?.seccompProfile)?.type !== 'RuntimeDefault') v.push(`${at}: seccomp profile is not RuntimeDefault`);
    const resources = (c.resources ?? {}) as { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
    for (const kind of ['requests', 'limits'] as const) for (const r of ['cpu', 'memory']) if (resources[kind]?.[r] === undefined) v.push(`${at}: no ${r} ${kind}`);
    const image = IMAGE.exec(c.image);
    if (!image) v.push(`${at}: image ${c.image} is not pinned by digest`);
    else if (image[2] === 'latest') v.push(`${at}: image uses latest`);
    else if (c.image !== CLOUD_SQL_PROXY_IMAGE && !here.some((d) => image[1] === imageRepository(env, d.name) && image[2] === undefined)) {
      v.push(`${at}: image ${c.image} is not one of the overlay's service images`);
    }
    // Binary Authorization blocks anything else on the clusters.
    const admitted = namesFor(environment(env)).admittedImages;
    if (image && !admitted.some((pattern) => (pattern.endsWith('*') ? image[1]?.startsWith(pattern.slice(0, -1)) : image[1] === pattern))) {
      v.push(`${at}: image ${c.image} is not admitted by Binary Authorization`);
    }
  }
  for (const c of t.spec.containers) {
    const mounts = (c.volumeMounts as { name: string; mountPath: string }[] | undefined) ?? [];
    if (!tmp || !mounts.some((m) => m.mountPath === '/tmp' && m.name === tmp.name)) v.push(`${where} ${c.name}: no emptyDir at /tmp`);
  }
  return v;
}

function workloadViolations(objects: readonly KubeObject[], env: EnvName, cluster: Cluster): string[] {
  const here = deployablesOf(env, cluster);
  const v: string[] = [];
  for (const o of objects) v.push(...podViolations(o, env, here));
  if (objects.some((o) => JSON.stringify(o).includes(':latest'))) v.push('something refers to a latest tag');
  for (const w of workloads(objects)) {
    const where = `${w.kind}/${w.metadata.name}`;
    const labels = podLabels(w);
    const t = podTemplateOf(w) as PodTemplate;
    const spec = t.spec as PodTemplate['spec'] & { terminationGracePeriodSeconds?: number; topologySpreadConstraints?: { topologyKey: string }[]; serviceAccountName?: string };
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' && (o.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef.name === w.metadata.name);
    if (w.kind === 'Deployment') {
      if (!hpas.some((h) => (h.spec as { scaleTargetRef: { kind: string } }).scaleTargetRef.kind === 'Deployment')) v.push(`${where}: no HorizontalPodAutoscaler`);
      if ((w.spec as { replicas?: number }).replicas !== undefined) v.push(`${where}: sets replicas, which the HPA owns`);
    } else if (hpas.length) v.push(`${where}: a StatefulSet of shards must not be autoscaled`);
    if (!objects.some((o) => o.kind === 'PodDisruptionBudget' && selects((o.spec as { selector: Selector }).selector, labels))) v.push(`${where}: no PodDisruptionBudget`);
    const nps = policiesFor(objects, labels);
    if (!nps.some((p) => p.spec.policyTypes?.includes('Ingress'))) v.push(`${where}: no NetworkPolicy governs its ingress`);
    if (!nps.some((p) => p.spec.policyTypes?.includes('Egress'))) v.push(`${where}: no NetworkPolicy governs its egress`);
    const keys = (spec.topologySpreadConstraints ?? []).map((c) => c.topologyKey);
    if (!keys.includes('topology.kubernetes.io/zone') || !keys.includes('kubernetes.io/hostname')) v.push(`${where}: not spread across zones and hosts`);
    if (!spec.serviceAccountName || !find(objects, 'ServiceAccount', spec.serviceAccountName)) v.push(`${where}: its service account is not in the build`);
    const c = mainContainer(w);
    const probe = (name: string) => c[name] as { httpGet?: { path: string; port: string | number } } | undefined;
    for (const name of ['startupProbe', 'readinessProbe', 'livenessProbe']) if (!probe(name)?.httpGet) v.push(`${where}: no HTTP ${name}`);
    if (probe('readinessProbe')?.httpGet?.path !== '/readyz') v.push(`${where}: readiness is not /readyz`);
    if (probe('livenessProbe')?.httpGet?.path !== '/healthz') v.push(`${where}: liveness is not /healthz`);
    const preStop = (c.lifecycle as { preStop?: { sleep?: { seconds: number } } } | undefined)?.preStop?.sleep?.seconds ?? 0;
    if (w.kind === 'Deployment' && preStop <= 0) v.push(`${where}: no preStop sleep`);
    const graceMs = Number(containerEnvironment(objects, c).SHUTDOWN_GRACE_MS ?? 10_000);
    if (!((spec.terminationGracePeriodSeconds ?? 30) > graceMs / 1000 + preStop)) v.push(`${where}: grace period does not cover preStop and drain`);
  }
  return v;
}

// ------------------------------------------------------------------------------------------------

describe('generated files', () => {
  const files = renderFiles(committedDigests(REPO_ROOT));

  test('are what the renderer writes, and nothing else is in the generated folders', () => {
    const rendered = new Map(files.map((f) => [f.path, f.content]));
    expect(filesOnDisk(REPO_ROOT)).toEqual([...rendered.keys()]);
    for (const [rel, content] of rendered) {
      const onDisk = fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
      if (OVERLAYS.some((o) => rel === `${o.dir}/kustomization.yaml`)) {
        // The release workflow rewrites images with kustomize, which may reformat the file: compare what it says.
        expect({ file: rel, content: parse(onDisk) as unknown }).toEqual({ file: rel, content: parse(content) as unknown });
      } else {
        expect({ file: rel, content: onDisk }).toEqual({ file: rel, content });
      }
    }
  });

  test('each starts with the line saying how it is generated', () => {
    for (const rel of filesOnDisk(REPO_ROOT)) expect({ rel, first: fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8').split('\n')[0] }).toEqual({ rel, first: GENERATED_HEADER });
  });

  test('rendering is deterministic and keeps the digests the release workflow set', () => {
    expect(renderFiles(committedDigests(REPO_ROOT))).toEqual(files);
    const released = `sha256:${'ab'.repeat(32)}`;
    const dir = overlayPath('prod', 'backend');
    const again = renderFiles(new Map([[dir, new Map([['inventory', released]])]]));
    const kustomization = again.find((f) => f.path === `${dir}/kustomization.yaml`)?.content ?? '';
    const images = (parse(kustomization) as { images: { name: string; digest: string }[] }).images;
    expect(images.find((i) => i.name === 'inventory')?.digest).toBe(released);
    expect(images.filter((i) => i.name !== 'inventory').every((i) => i.digest === IMAGE_DIGEST_PLACEHOLDER)).toBe(true);
  });

  test.each(OVERLAYS)('$dir names each image it runs by repository and a placeholder or real digest', (o) => {
    const { images } = parse(fs.readFileSync(path.join(REPO_ROOT, o.dir, 'kustomization.yaml'), 'utf8')) as { images: { name: string; newName: string; digest: string }[] };
    expect(images.map((i) => ({ name: i.name, newName: i.newName }))).toEqual(deployablesOf(o.env, o.cluster).map((d) => ({ name: d.name, newName: imageRepository(o.env, d.name) })));
    for (const i of images) expect(i.digest === IMAGE_DIGEST_PLACEHOLDER || IMAGE_DIGEST.test(i.digest)).toBe(true);
  });
});

describe('strict validation', () => {
  const deployment = (): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'x', image: 'x' }] } } },
  });

  test('accepts a valid object and names every unknown field, schema error and missing model', () => {
    expect(schemaErrors(deployment())).toEqual([]);
    const unknown = deployment() as KubeObject & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    (unknown.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolicyy = 'Always';
    (unknown.metadata as Record<string, unknown>).label = {};
    expect(schemaErrors(unknown)).toEqual([
      'Deployment/x: .metadata.label: unknown field',
      'Deployment/x: .spec.template.spec.containers[0].imagePullPolicyy: unknown field',
    ]);
    const wrongType = deployment() as KubeObject & { spec: { replicas?: unknown } };
    wrongType.spec.replicas = 'two';
    expect(schemaErrors(wrongType).join()).toMatch(/replicas must be integer/);
    expect(schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual(['Widget/w: no schema model for example.com/v1 Widget']);
  });

  test('finds models in the Kubernetes, GKE, Gateway API and Argo CD packages', () => {
    expect(modelFor('apps/v1', 'Deployment')?.module).toBe('kubernetes-models/apps/v1/Deployment');
    expect(modelFor('v1', 'Service')?.module).toBe('kubernetes-models/v1/Service');
    expect(modelFor('cloud.google.com/v1', 'BackendConfig')?.module).toBe('@kubernetes-models/gke/cloud.google.com/v1/BackendConfig');
    expect(modelFor('gateway.networking.k8s.io/v1', 'HTTPRoute')?.module).toBe('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute');
    expect(modelFor('argoproj.io/v1alpha1', 'Application')?.module).toBe('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application');
  });
});

describe.each(OVERLAYS)('overlay $dir', (o) => {
  const here = deployablesOf(o.env, o.cluster);
  const e = environment(o.env);
  const names = namesFor(e);
  let objects: KubeObject[] = [];
  beforeAll(() => {
    objects = build(o);
    prepareSchemas(objects);
  });

  test('builds, and every object validates strictly against its schema', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  test('runs exactly the deployables of its cluster, each as its workload kind', () => {
    expect(workloads(objects).map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual(here.map((d) => `${d.workload}/${d.name}`).sort());
  });

  test('keeps every workload policy: HPA, PDB, network policies, probes, resources, security, images, drain', () => {
    expect(workloadViolations(objects, o.env, o.cluster)).toEqual([]);
  });

  test('labels every object and puts every namespaced object in the shop namespace', () => {
    for (const obj of objects) {
      const l = obj.metadata.labels ?? {};
      expect({ obj: `${obj.kind}/${obj.metadata.name}`, partOf: l[LABELS.partOf], managedBy: l[LABELS.managedBy], named: Boolean(l[LABELS.name]), component: Boolean(l[LABELS.component]) }).toEqual({
        obj: `${obj.kind}/${obj.metadata.name}`,
        partOf: PART_OF,
        managedBy: MANAGED_BY,
        named: true,
        component: true,
      });
      if (obj.kind !== 'Namespace') expect(obj.metadata.namespace).toBe(KUBERNETES_NAMESPACE);
    }
    const ns = find(objects, 'Namespace', KUBERNETES_NAMESPACE);
    for (const mode of ['enforce', 'audit', 'warn']) expect(ns?.metadata.labels?.[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    // A commit that drops the namespace must not delete everything in it.
    expect(ns?.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('Prune=false');
  });

  test('service accounts carry the environment\'s Workload Identity account and mount no token', () => {
    for (const d of here) {
      const sa = find(objects, 'ServiceAccount', d.name) as (KubeObject & { automountServiceAccountToken?: boolean }) | undefined;
      expect(sa?.metadata.annotations?.[WORKLOAD_IDENTITY_ANNOTATION]).toBe(names.workloadAccountEmail(d.name));
      expect(sa?.automountServiceAccountToken).toBe(false);
    }
  });

  test('syncs in waves: foundation, then migrations, then workloads; the smoke test after sync', () => {
    const waveOf = (obj: KubeObject) => obj.metadata.annotations?.[ARGOCD.syncWave];
    const hookOf = (obj: KubeObject) => obj.metadata.annotations?.[ARGOCD.hook];
    for (const obj of objects) {
      const at = `${obj.kind}/${obj.metadata.name}`;
      if (['Namespace', 'ConfigMap', 'ServiceAccount', 'NetworkPolicy'].includes(obj.kind)) expect({ at, wave: waveOf(obj) }).toEqual({ at, wave: String(SYNC_WAVES.foundation) });
      if (['Deployment', 'StatefulSet', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(obj.kind)) expect({ at, wave: waveOf(obj) }).toEqual({ at, wave: String(SYNC_WAVES.workloads) });
    }
    const jobs = objects.filter((obj) => obj.kind === 'Job');
    const migrations = jobs.filter((j) => j.metadata.labels?.[LABELS.component] === COMPONENTS.migration);
    for (const j of migrations) {
      expect(hookOf(j)).toBe(MIGRATION_HOOK);
      expect(Number(waveOf(j))).toBeGreaterThan(SYNC_WAVES.foundation);
      expect(Number(waveOf(j))).toBeLessThan(SYNC_WAVES.workloads);
    }
    expect(migrations.map((j) => j.metadata.labels?.[LABELS.name]).sort()).toEqual(here.filter((d) => d.database !== null).map((d) => d.name).sort());
    const smoke = jobs.filter((j) => j.metadata.labels?.[LABELS.component] === COMPONENTS.smokeTest);
    expect(smoke.map(hookOf)).toEqual([SMOKE_TEST_HOOK]);
    for (const j of jobs) expect(j.metadata.annotations?.[ARGOCD.hookDeletePolicy]).toBe('BeforeHookCreation');
  });

  test('migrations run each database service\'s own image through the same proxy, bounded in time', () => {
    for (const d of here.filter((x) => x.database !== null)) {
      const job = find(objects, 'Job', `${d.name}-migrate`) as KubeObject & { spec: { backoffLimit?: number; activeDeadlineSeconds?: number; ttlSecondsAfterFinished?: number } };
      expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(0);
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
      const t = podTemplateOf(job) as PodTemplate;
      expect(t.spec.serviceAccountName).toBe(d.name);
      const migrate = t.spec.containers[0] as Container & { args: string[] };
      expect(migrate.image.split('@')[0]).toBe(imageRepository(o.env, d.name));
      expect(migrate.args).toEqual([`services/${d.name}/dist/migrate.js`]);
      expect(t.spec.initContainers?.map((c) => ({ image: c.image, restartPolicy: c.restartPolicy }))).toEqual([{ image: CLOUD_SQL_PROXY_IMAGE, restartPolicy: 'Always' }]);
      expect(containerEnvironment(objects, migrate).DATABASE_URL).toBe(containerEnvironment(objects, mainContainer(find(objects, 'Deployment', d.name) as KubeObject)).DATABASE_URL);
      expect(policiesFor(objects, t.metadata?.labels ?? {}).length).toBeGreaterThan(0);
    }
  });

  /** The config schema each workload's main.ts loads its settings with. */
  const CONFIG_SCHEMAS: Record<string, z.ZodObject> = {
    inventory: inventoryConfigSchema,
    catalog: catalogConfigSchema,
    orders: ordersConfigSchema,
    activity: activityConfigSchema,
    storefront: storefrontConfigSchema,
    analytics: analyticsConfigSchema,
  };

  test('each workload\'s settings satisfy its service\'s config schema; sm:// names only secrets it may read', () => {
    for (const w of workloads(objects)) {
      const env = containerEnvironment(objects, mainContainer(w));
      for (const [key, value] of Object.entries(env).filter(([, v]) => v.startsWith('sm://'))) {
        const secret = SECRETS.find((s) => `sm://${s.name}` === value);
        expect({ key, secret: secret?.name, readable: secret?.accessors.includes(w.metadata.name) }).toEqual({ key, secret: value.slice(5), readable: true });
      }
      // Secret Manager values as the resolver would return them.
      const secretValues: Record<string, string> = {
        'sm://redis-url': 'rediss://default:auth@10.100.0.3:6378',
        'sm://redis-ca': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
        'sm://storefront-cookie-key': 'k'.repeat(48),
      };
      // The kubelet fills field references in: the StatefulSet's pod index is the runner's shard.
      const fieldValues: Record<string, string> = { "<metadata.labels['apps.kubernetes.io/pod-index']>": '0' };
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, secretValues[v] ?? fieldValues[v] ?? (v.startsWith('sm://') ? 'secret' : v)]));
      const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
        result.success ? [] : (result.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
      const schema = CONFIG_SCHEMAS[w.metadata.name];
      expect({ workload: w.metadata.name, hasSchema: schema !== undefined }).toEqual({ workload: w.metadata.name, hasSchema: true });
      if (!schema) continue;
      const parsed = schema.safeParse(resolved);
      expect({ workload: w.metadata.name, issues: issues(parsed) }).toEqual({ workload: w.metadata.name, issues: [] });
      // Migrations run as a Job before the rollout, never at start-up.
      if ('MIGRATE_ON_START' in schema.shape) expect((parsed.data as { MIGRATE_ON_START?: boolean } | undefined)?.MIGRATE_ON_START).toBe(false);
      // Every setting is one the service reads, besides those the proxy and the telemetry attributes read.
      const known = new Set([...Object.keys(schema.shape), 'CLOUD_SQL_INSTANCE', 'DEPLOYMENT_ENVIRONMENT']);
      expect({ workload: w.metadata.name, unknown: Object.keys(env).filter((k) => !known.has(k) && !k.startsWith('OTEL_') && !k.startsWith('K8S_')) }).toEqual({ workload: w.metadata.name, unknown: [] });
      expect(Number(env.SHUTDOWN_GRACE_MS)).toBe(SHUTDOWN_GRACE_MS);
    }
  });

  test('database services reach Cloud SQL only through the proxy sidecar, as their IAM user', () => {
    for (const d of here.filter((x) => x.database !== null)) {
      const w = find(objects, 'Deployment', d.name) as KubeObject;
      const t = podTemplateOf(w) as PodTemplate;
      const proxy = t.spec.initContainers?.[0] as Container & { args: string[]; restartPolicy: string };
      expect(proxy.image).toBe(CLOUD_SQL_PROXY_IMAGE);
      expect(proxy.restartPolicy).toBe('Always');
      expect(proxy.args).toEqual(expect.arrayContaining(['--private-ip', '--auto-iam-authn', '--structured-logs', '$(CLOUD_SQL_INSTANCE)']));
      const proxyEnv = containerEnvironment(objects, proxy);
      expect(proxyEnv.CLOUD_SQL_INSTANCE).toBe(`${e.project}:${e.region}:${names.sqlInstance}`);
      const url = new URL(containerEnvironment(objects, mainContainer(w)).DATABASE_URL ?? '');
      expect({ host: url.host, user: decodeURIComponent(url.username), password: url.password, database: url.pathname }).toEqual({
        host: '127.0.0.1:5432',
        user: `${names.workloadAccountId(d.name)}@${e.project}.iam`,
        password: '',
        database: `/${d.database}`,
      });
    }
    for (const d of here.filter((x) => x.database === null)) {
      const w = workloads(objects).find((x) => x.metadata.name === d.name) as KubeObject;
      expect(podTemplateOf(w)?.spec.initContainers ?? []).toEqual([]);
    }
  });

  test('network: default deny, then only the egress and ingress each workload needs', () => {
    const deny = policies(objects).find((p) => p.name === 'default-deny');
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const kubeDns: (p: PolicyPeer) => boolean = (p) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' && p.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns';
    for (const w of workloads(objects)) {
      const at = `${w.kind}/${w.metadata.name}`;
      const spec = policiesFor(objects, podLabels(w)).map((p) => p.spec);
      const egress = spec.flatMap((p) => p.egress ?? []);
      const ingress = spec.flatMap((p) => p.ingress ?? []);
      const missing: string[] = [];
      const need = (ok: boolean, what: string) => ok || missing.push(what);
      need(admits(egress, 'to', kubeDns, 'UDP', 53) && admits(egress, 'to', kubeDns, 'TCP', 53), 'DNS');
      for (const m of GKE_METADATA_SERVER) need(admits(egress, 'to', cidrPeer(m.cidr), 'TCP', m.port), `metadata ${m.cidr}`);
      for (const cidr of GOOGLE_APIS_RANGES) need(admits(egress, 'to', cidrPeer(cidr), 'TCP', 443), `Google APIs ${cidr}`);
      need(admits(egress, 'to', (p) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === OTLP_COLLECTOR.namespace, 'TCP', OTLP_COLLECTOR.port), 'OTLP collector');
      const spec_ = SERVICE_LIST.find((s) => s.name === w.metadata.name);
      const d = here.find((x) => x.name === w.metadata.name) as Deployable;
      if (d.database !== null) need(admits(egress, 'to', cidrPeer(e.network.privateServicesCidr), 'TCP', CLOUD_SQL_SERVER_PORT), 'Cloud SQL');
      if (spec_?.redis) need(admits(egress, 'to', cidrPeer(e.network.privateServicesCidr), 'TCP', MEMORYSTORE_TLS_PORT), 'Memorystore');
      for (const callee of CALLS[d.name] ?? []) {
        const c = SERVICE_LIST.find((s) => s.name === callee);
        if (!c) continue;
        const peer = c.cluster === o.cluster ? podPeer({ [LABELS.name]: callee, [LABELS.component]: COMPONENTS.server }) : cidrPeer(e.clusters[c.cluster].podCidr);
        need(admits(egress, 'to', peer, 'TCP', c.port), `call ${callee}`);
      }
      for (const [caller, callees] of Object.entries(CALLS)) {
        const c = SERVICE_LIST.find((s) => s.name === caller);
        if (!c || !callees.includes(d.name)) continue;
        const peer = c.cluster === o.cluster ? podPeer({ [LABELS.name]: caller, [LABELS.component]: COMPONENTS.server }) : cidrPeer(e.clusters[c.cluster].podCidr);
        need(admits(ingress, 'from', peer, 'TCP', d.port), `called by ${caller}`);
      }
      need(admits(ingress, 'from', podPeer({ [LABELS.name]: 'smoke-test', [LABELS.component]: COMPONENTS.smokeTest }), 'TCP', d.port), 'smoke test');
      if (spec_?.public) for (const cidr of LOAD_BALANCER_RANGES) need(admits(ingress, 'from', cidrPeer(cidr), 'TCP', d.port), `load balancer ${cidr}`);
      // Nothing opens to everything.
      const open = [...egress.map((r) => r.to), ...ingress.map((r) => r.from)].some((peers) => !peers || peers.length === 0 || peers.some((p) => p.ipBlock?.cidr === '0.0.0.0/0'));
      expect({ at, missing, open }).toEqual({ at, missing: [], open: false });
    }
  });

  test('the smoke test asks every workload\'s readiness endpoint through its Service, from a service image', () => {
    const job = objects.find((obj) => obj.kind === 'Job' && obj.metadata.labels?.[LABELS.component] === COMPONENTS.smokeTest) as KubeObject;
    const c = mainContainer(job) as Container & { args: string[] };
    expect(c.args[0]).toBe('-e');
    const script = c.args[1] ?? '';
    expect(() => new Function(script)).not.toThrow();
    const urls = [...script.matchAll(/"(http:\/\/[^"]+)"/g)].map((m) => new URL(m[1] ?? ''));
    const expected = here.flatMap((d) => (d.workload === 'StatefulSet' ? Array.from({ length: d.replicas.max }, (_, i) => `${d.name}-${i}.${d.name}`) : [d.name]).map((host) => `http://${host}:${d.port}${d.probes.ready}`));
    expect(urls.map(String)).toEqual(expected);
    for (const d of here) expect(find(objects, 'Service', d.name)).toBeDefined();
    const smokePolicy = policiesFor(objects, podLabels(job)).flatMap((p) => p.spec.egress ?? []);
    for (const d of here) expect(admits(smokePolicy, 'to', podPeer(podLabels(workloads(objects).find((w) => w.metadata.name === d.name) as KubeObject)), 'TCP', d.port)).toBe(true);
  });

  test('public services expose the NEGs the edge stack expects, and admit only Google\'s load balancer ranges from outside', () => {
    for (const d of here) {
      const svc = find(objects, 'Service', d.name) as KubeObject;
      const annotation = svc.metadata.annotations?.[NEG_ANNOTATION];
      if (SERVICE_LIST.find((s) => s.name === d.name)?.public) {
        expect(JSON.parse(annotation ?? '{}')).toEqual({ exposed_ports: { [String(d.port)]: { name: names.edge.neg(d.name) } } });
      } else {
        expect(annotation).toBeUndefined();
      }
    }
    expect(objects.filter((obj) => ['Ingress', 'Gateway', 'HTTPRoute'].includes(obj.kind))).toEqual([]);
  });

  test('the streaming runner, where it runs, is one pod per shard with its shard from the pod index', () => {
    const runner = find(objects, 'StatefulSet', ANALYTICS_JOB.name);
    const runsHere = here.some((d) => d.name === ANALYTICS_JOB.name);
    expect(Boolean(runner)).toBe(runsHere);
    if (!runner) return;
    expect((runner.spec as { replicas: number }).replicas).toBe(ANALYTICS_JOB.shards);
    const env = (mainContainer(runner).env as EnvVar[]).find((v) => v.name === 'SHARD');
    expect(env?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['apps.kubernetes.io/pod-index']");
    const pdb = objects.find((obj) => obj.kind === 'PodDisruptionBudget' && obj.metadata.name === ANALYTICS_JOB.name);
    expect((pdb?.spec as { maxUnavailable: number }).maxUnavailable).toBe(1);
    const svc = find(objects, 'Service', ANALYTICS_JOB.name);
    expect((svc?.spec as { clusterIP?: string }).clusterIP).toBe('None');
    expect((runner.spec as { serviceName: string }).serviceName).toBe(ANALYTICS_JOB.name);
  });
});

describe('component combinations', () => {
  const subsets = <T>(items: readonly T[]): T[][] => items.reduce<T[][]>((acc, item) => [...acc, ...acc.map((s) => [...s, item])], [[]]);
  const combinations = OVERLAYS.flatMap((o) => subsets(componentsOf(o.env, o.cluster)).map((components) => ({ ...o, components, label: components.length ? components.join(' + ') : 'no components' })));

  test.each(combinations)('$dir with $label builds, validates strictly and keeps the workload policies', (c) => {
    const objects = kustomizeWithComponents(c.dir, c.components.map((name) => `../../../components/${name}`));
    prepareSchemas(objects);
    expect(objects.flatMap(schemaErrors)).toEqual([]);
    expect(workloadViolations(objects, c.env, c.cluster)).toEqual([]);
  });
});

describe('manifests and the shared service list', () => {
  test('each contracts service runs in every environment\'s cluster of its role, and nowhere else', () => {
    for (const s of SERVICE_LIST) {
      for (const o of OVERLAYS) {
        expect({ service: s.name, overlay: o.dir, runs: Boolean(find(build(o), 'Deployment', s.name)) }).toEqual({ service: s.name, overlay: o.dir, runs: s.cluster === o.cluster });
      }
    }
    const runner = OVERLAYS.filter((o) => find(build(o), 'StatefulSet', ANALYTICS_JOB.name)).map((o) => o.dir);
    expect(runner).toEqual(OVERLAYS.filter((o) => o.cluster === ANALYTICS_JOB.cluster && environment(o.env).streaming.runner === 'gke').map((o) => o.dir));
  });

  test('callers reach services on their own cluster by cluster DNS and across clusters through an exported Service', () => {
    let crossCluster = 0;
    for (const o of OVERLAYS) {
      const objects = build(o);
      for (const [caller, callees] of Object.entries(CALLS)) {
        const w = workloads(objects).find((x) => x.metadata.name === caller);
        if (!w) continue;
        const settings = containerEnvironment(objects, mainContainer(w));
        for (const calleeName of callees) {
          const callee = SERVICE_LIST.find((x) => x.name === calleeName);
          const across = callee?.cluster !== o.cluster;
          const zone = across ? 'svc.clusterset.local' : 'svc.cluster.local';
          expect({ caller, setting: settings[`${calleeName.toUpperCase()}_URL`] }).toEqual({ caller, setting: `http://${calleeName}.${KUBERNETES_NAMESPACE}.${zone}:${callee?.port}` });
          if (!across) {
            expect(find(objects, 'Service', calleeName)).toBeDefined();
            continue;
          }
          crossCluster += 1;
          // The callee's cluster of the same environment exports its Service to the fleet.
          const home = OVERLAYS.find((x) => x.env === o.env && x.cluster === callee?.cluster);
          expect(home && find(build(home), 'ServiceExport', calleeName)).toMatchObject({ apiVersion: 'net.gke.io/v1', metadata: { namespace: KUBERNETES_NAMESPACE } });
        }
      }
    }
    expect(crossCluster).toBeGreaterThan(0);
    // Nothing is exported that no other cluster calls.
    for (const o of OVERLAYS) {
      for (const exported of build(o).filter((x) => x.kind === 'ServiceExport')) {
        const callers = Object.keys(CALLS).filter((c) => CALLS[c]?.includes(exported.metadata.name));
        expect(callers.some((c) => SERVICE_LIST.find((x) => x.name === c)?.cluster !== o.cluster)).toBe(true);
      }
    }
  });

  test('the kit\'s HTTP app, which every service is built on, serves those probes on that port', async () => {
    let dependencyUp = true;
    const app = createHttpApp({
      logger: createLogger({ service: 'probe-check', level: 'silent' }),
      readiness: { dependency: () => (dependencyUp ? Promise.resolve() : Promise.reject(new Error('down'))) },
      bodyLimit: '1kb',
      routes: Router(),
    });
    const server = await listen(app, 0, '127.0.0.1');
    try {
      for (const d of DEPLOYABLES.filter((x) => x.workload === 'Deployment')) {
        expect({ service: d.name, port: d.port }).toEqual({ service: d.name, port: baseConfigSchema.parse({ SERVICE_NAME: d.name }).PORT });
        expect((await fetch(`${server.url}${d.probes.live}`)).status).toBe(200);
        expect((await fetch(`${server.url}${d.probes.ready}`)).status).toBe(200);
      }
      dependencyUp = false;
      const ready = [...new Set(DEPLOYABLES.map((d) => d.probes.ready))];
      for (const p of ready) expect((await fetch(`${server.url}${p}`)).status).toBe(503);
      expect(baseConfigSchema.parse({ SERVICE_NAME: 'x' }).PORT).toBe(CONTAINER_PORT);
    } finally {
      await server.close();
    }
  });

  test('ports and probes are the ones each service exposes', () => {
    for (const o of OVERLAYS) {
      const objects = build(o);
      for (const d of DEPLOYABLES.filter((x) => deployablesOf(o.env, o.cluster).includes(x))) {
        const w = workloads(objects).find((x) => x.metadata.name === d.name) as KubeObject;
        const c = mainContainer(w) as Container & { ports: { name: string; containerPort: number }[] };
        const port = c.ports.find((p) => p.containerPort === d.port);
        expect(port).toBeDefined();
        expect(containerEnvironment(objects, c).PORT).toBe(String(d.port));
        const probe = (name: string) => (c[name] as { httpGet: { path: string; port: string | number } }).httpGet;
        expect([probe('startupProbe'), probe('readinessProbe'), probe('livenessProbe')]).toEqual([
          { path: d.probes.live, port: port?.name },
          { path: d.probes.ready, port: port?.name },
          { path: d.probes.live, port: port?.name },
        ]);
        const svc = find(objects, 'Service', d.name) as KubeObject;
        const spec = svc.spec as { selector: Record<string, string>; ports: { port: number; targetPort: string | number }[] };
        expect(spec.ports).toEqual([expect.objectContaining({ port: d.port, targetPort: port?.name })]);
        expect(selects({ matchLabels: spec.selector }, podLabels(w))).toBe(true);
      }
    }
  });

  test('service selectors never pick up migration or smoke-test pods', () => {
    for (const o of OVERLAYS) {
      const objects = build(o);
      const jobs = objects.filter((obj) => obj.kind === 'Job');
      for (const svc of objects.filter((obj) => obj.kind === 'Service')) {
        for (const job of jobs) expect(selects({ matchLabels: (svc.spec as { selector: Record<string, string> }).selector }, podLabels(job))).toBe(false);
      }
    }
  });

  test('the load balancer ranges are the network stack\'s health-check ranges; calls name contracts services', () => {
    expect([...LOAD_BALANCER_RANGES]).toEqual(HEALTH_CHECK_RANGES);
    const known = new Set(SERVICE_LIST.map((s) => s.name));
    for (const [caller, callees] of Object.entries(CALLS)) for (const name of [caller, ...callees]) expect(known.has(name)).toBe(true);
  });
});
