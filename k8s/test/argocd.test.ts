import fs from 'node:fs';
import path from 'node:path';
import { AppProject, Application, ApplicationSet, type IAppProject, type IApplication, type IApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { namesFor } from '@shop/cdktf';
import { KUBERNETES_NAMESPACE, type Cluster } from '@shop/contracts';
import { CLUSTERS, ENV_NAMES, environment, overlayPath, type EnvName } from '../src/deployables';
import { kustomize, parseObjects, REPO_ROOT as ROOT } from './support';

/**
 * The Argo CD objects under argocd/: each one validated against the Argo CD CRD schemas (and
 * refused if it carries a field the schema does not know, which the generated validators let
 * through), then held to the delivery policy: a project scoped to this repository, the four
 * registered clusters and the shop namespace; one application per cluster picked by its env and
 * role labels and pointed at that cluster's overlay; automated, self-healing, retried syncs; and
 * an app-of-apps root that owns only the project and the ApplicationSet.
 */

const ARGOCD_DIR = 'argocd';
const ROOT_APP = 'shop-root';
const ROOT_APP_PATH = 'argocd/apps';
/** Namespace of the Argo CD installation that reconciles these objects. */
const ARGOCD_NAMESPACE = 'argocd';
/** How Argo CD addresses the cluster it runs in. */
const IN_CLUSTER = 'https://kubernetes.default.svc';
/** The branch promotion writes overlays to; both environments track it. */
const TRACKED_BRANCH = 'main';

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------
// Loading and strict schema validation

interface Manifest {
  /** File relative to the repository root, with the document's position in it. */
  where: string;
  file: string;
  value: unknown;
}

function yamlFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return yamlFilesUnder(relative);
      return /\.ya?ml$/.test(entry.name) ? [relative] : [];
    })
    .sort();
}

const MANIFESTS: readonly Manifest[] = yamlFilesUnder(ARGOCD_DIR).flatMap((file) =>
  parseObjects(fs.readFileSync(path.join(ROOT, file), 'utf8'), file).map((value, index) => ({ where: `${file}#${index}`, file, value })),
);

/** The models' own validate functions, applied to the object as written (no copy in between). */
const SCHEMAS = {
  AppProject: { apiVersion: AppProject.apiVersion, validate: (self: unknown): void => AppProject.prototype.validate.call(self) },
  Application: { apiVersion: Application.apiVersion, validate: (self: unknown): void => Application.prototype.validate.call(self) },
  ApplicationSet: { apiVersion: ApplicationSet.apiVersion, validate: (self: unknown): void => ApplicationSet.prototype.validate.call(self) },
};
type ArgoKind = keyof typeof SCHEMAS;
interface ArgoTypes {
  AppProject: IAppProject;
  Application: IApplication;
  ApplicationSet: IApplicationSet;
}

function argoKindOf(value: unknown): ArgoKind {
  if (!isRecord(value)) throw new Error('not an object');
  const { apiVersion, kind } = value;
  const known = Object.keys(SCHEMAS).find((k): k is ArgoKind => k === kind);
  if (!known || SCHEMAS[known].apiVersion !== apiVersion) throw new Error(`unknown Argo CD object ${String(apiVersion)} ${String(kind)}`);
  return known;
}

/**
 * Fields of `data` the validator never read. The generated validators follow every property the
 * schema declares (and every key of a map) but never look at undeclared ones, so a field the
 * validator did not read is one the schema does not have: a typo Argo CD would silently drop.
 */
function fieldsOutsideSchema(data: unknown, validate: (self: unknown) => void): string[] {
  const readKeys = new WeakMap<object, Set<PropertyKey>>();
  const proxies = new WeakMap<object, unknown>();
  const watch = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const existing = proxies.get(value);
    if (existing !== undefined) return existing;
    const keys = new Set<PropertyKey>();
    readKeys.set(value, keys);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        keys.add(key);
        return watch(Reflect.get(target, key, receiver));
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  validate(watch(data));

  const unread = (value: unknown, at: string): string[] => {
    if (Array.isArray(value)) return value.flatMap((item, i) => unread(item, `${at}[${i}]`));
    if (!isRecord(value)) return [];
    const keys = readKeys.get(value);
    return Object.entries(value).flatMap(([key, child]) => {
      const here = at === '' ? key : `${at}.${key}`;
      return keys?.has(key) ? unread(child, here) : [here];
    });
  };
  return unread(data, '');
}

/**
 * Schema fields the package's compiled validators skip: its generator strips every schema key
 * named `description`, which also removes the AppProject's own `description` properties.
 * They are checked here instead (strings, as the CRD declares them).
 */
const FIELDS_CHECKED_HERE: Record<ArgoKind, readonly RegExp[]> = {
  AppProject: [/^spec\.description$/, /^spec\.roles\[\d+\]\.description$/],
  Application: [],
  ApplicationSet: [],
};

function valueAt(value: unknown, fieldPath: string): unknown {
  return fieldPath.split(/\.|\[(\d+)\]\.?/).filter((k) => k !== undefined && k !== '').reduce<unknown>((node, key) => {
    if (Array.isArray(node)) return node[Number(key)];
    return isRecord(node) ? node[key] : undefined;
  }, value);
}

/** Throws with the schema's message on a schema error, or naming every field the schema lacks. */
function validateStrictly(kind: ArgoKind, value: unknown): void {
  const { validate } = SCHEMAS[kind];
  validate(value);
  const outside = fieldsOutsideSchema(value, validate).filter((field) => {
    if (!FIELDS_CHECKED_HERE[kind].some((pattern) => pattern.test(field))) return true;
    return typeof valueAt(value, field) !== 'string';
  });
  if (outside.length > 0) throw new Error(`fields the ${kind} schema does not allow: ${outside.join(', ')}`);
}

function objectsOf<K extends ArgoKind>(kind: K, under = ARGOCD_DIR): ArgoTypes[K][] {
  return MANIFESTS.filter((m) => m.file.startsWith(`${under}/`) && isRecord(m.value) && m.value.kind === kind).map((m) => {
    validateStrictly(kind, m.value);
    return m.value as ArgoTypes[K];
  });
}

function named<K extends ArgoKind>(kind: K, name: string | undefined): ArgoTypes[K] {
  const found = objectsOf(kind).filter((o) => o.metadata.name === name);
  const [only] = found;
  if (!only || found.length > 1) throw new Error(`expected one ${kind} named ${String(name)} under ${ARGOCD_DIR}/, found ${found.length}`);
  return only;
}

// ---------------------------------------------------------------------------------------------
// Small models of what Argo CD does with these objects

const REPO_URLS = [...new Set(ENV_NAMES.map((env) => {
  const { owner, repository } = environment(env).github;
  return `https://github.com/${owner}/${repository}.git`;
}))];

const COMBINATIONS: ReadonlyArray<readonly [EnvName, Cluster]> = ENV_NAMES.flatMap((env) => CLUSTERS.map((role) => [env, role] as const));
const clusterName = (env: EnvName, role: Cluster): string => namesFor(environment(env)).cluster(role);

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Kubernetes label-selector semantics, as the cluster generator applies them to cluster Secrets. */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In': return value !== undefined && values.includes(value);
      case 'NotIn': return value === undefined || !values.includes(value);
      case 'Exists': return value !== undefined;
      case 'DoesNotExist': return value === undefined;
      default: throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabel && byExpression;
}

/** Parameters the cluster generator offers for one registered cluster Secret. */
function clusterParameters(env: EnvName, role: Cluster): Json {
  const name = clusterName(env, role);
  return { name, nameNormalized: name, server: `https://${name}.clusters.invalid`, metadata: { labels: { 'argocd.argoproj.io/secret-type': 'cluster', env, role }, annotations: {} } };
}

/**
 * Renders the Go-template subset the ApplicationSet uses, `{{.field.path}}`, with missingkey=error
 * semantics. Any other action is refused so that a template this model cannot follow fails here.
 */
function renderTemplate(text: string, parameters: Json): string {
  return text.replace(/\{\{(.*?)\}\}/g, (_, action: string) => {
    const reference = /^\s*\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*$/.exec(action)?.[1];
    if (reference === undefined) throw new Error(`template action {{${action}}} is outside the supported subset`);
    let value: unknown = parameters;
    for (const key of reference.split('.')) {
      if (!isRecord(value) || !(key in value)) throw new Error(`map has no entry for key "${key}" in {{${action}}}`);
      value = value[key];
    }
    if (typeof value !== 'string') throw new Error(`{{${action}}} is not a string`);
    return value;
  });
}

function renderDeep(value: unknown, parameters: Json): unknown {
  if (typeof value === 'string') return renderTemplate(value, parameters);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, parameters));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, parameters)]));
  return value;
}

/** The Application the ApplicationSet generates for one cluster, validated like a file would be. */
function generatedApplication(appSet: IApplicationSet, env: EnvName, role: Cluster): IApplication {
  const template = renderDeep(appSet.spec.template, clusterParameters(env, role));
  if (!isRecord(template) || !isRecord(template.metadata)) throw new Error('template rendered to no metadata');
  const app = { apiVersion: Application.apiVersion, kind: Application.kind, metadata: { ...template.metadata, namespace: appSet.metadata.namespace }, spec: template.spec };
  validateStrictly('Application', app);
  return app as IApplication;
}

type Destination = IApplication['spec']['destination'];
/** AppProject destination matching as Argo CD does it, for projects without wildcards. */
const permits = (project: IAppProject, destination: Destination): boolean =>
  (project.spec.destinations ?? []).some(
    (d) => d.namespace === destination.namespace && ((d.name !== undefined && d.name === destination.name) || (d.server !== undefined && d.server === destination.server)),
  );

const GO_DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
function durationMs(text: string | undefined): number {
  const parts = [...(text ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${String(text)}`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (GO_DURATION_UNITS[unit ?? ''] ?? NaN), 0);
}

interface SyncPolicy {
  automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean };
  retry?: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } };
  syncOptions?: string[];
}

function expectAutomatedRetriedSync(policy: SyncPolicy | undefined): void {
  expect(policy?.automated).toMatchObject({ prune: true, selfHeal: true });
  // An empty render must never prune everything.
  expect(policy?.automated?.allowEmpty).not.toBe(true);
  const retry = policy?.retry;
  expect(retry?.limit).toBeGreaterThanOrEqual(1);
  expect(retry?.limit).toBeLessThanOrEqual(10);
  const first = durationMs(retry?.backoff?.duration);
  const cap = durationMs(retry?.backoff?.maxDuration);
  expect(first).toBeGreaterThanOrEqual(5_000);
  expect(retry?.backoff?.factor).toBeGreaterThanOrEqual(2);
  expect(cap).toBeGreaterThan(first);
  expect(cap).toBeLessThanOrEqual(15 * 60_000);
}

const syncWave = (o: { metadata: { annotations?: Record<string, string> } }): number => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0');

/** Every string of an object, with its path, to look for wildcards. */
function stringsOf(value: unknown, at = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringsOf(item, `${at}[${i}]`));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => stringsOf(v, at === '' ? k : `${at}.${k}`));
  return [];
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '');
const kindKey = (r: { group: string; kind: string }): string => `${r.group}/${r.kind}`;

// ---------------------------------------------------------------------------------------------

describe('Argo CD objects under argocd/', () => {
  it('are found: the root, the project and the ApplicationSet', () => {
    expect(MANIFESTS.map((m) => m.file)).toEqual(expect.arrayContaining([`${ARGOCD_DIR}/root.yaml`, `${ROOT_APP_PATH}/project.yaml`, `${ROOT_APP_PATH}/applicationset.yaml`]));
  });

  it.each(MANIFESTS.map((m) => [m.where, m.value] as const))('%s is an Argo CD object valid against its schema, with no unknown field', (_, value) => {
    validateStrictly(argoKindOf(value), value);
  });

  it('are unique by kind and name, all in the Argo CD namespace', () => {
    const ids = MANIFESTS.map((m) => (isRecord(m.value) && isRecord(m.value.metadata) ? `${String(m.value.kind)}/${String(m.value.metadata.namespace)}/${String(m.value.metadata.name)}` : m.where));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(new RegExp(`^\\w+/${ARGOCD_NAMESPACE}/[a-z0-9-]+$`));
  });

  describe('the strict check itself', () => {
    const rawOf = (kind: ArgoKind): unknown => structuredClone(MANIFESTS.find((m) => isRecord(m.value) && m.value.kind === kind)?.value);
    const at = (value: unknown, ...keys: Array<string | number>): Json => {
      const found = keys.reduce<unknown>((node, key) => (isRecord(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined), value);
      if (!isRecord(found)) throw new Error(`no object at ${keys.join('.')}`);
      return found;
    };

    it('names misspelled and misplaced fields at any depth', () => {
      const appSet = rawOf('ApplicationSet');
      expect(fieldsOutsideSchema(appSet, SCHEMAS.ApplicationSet.validate)).toEqual([]);
      at(appSet, 'spec', 'template', 'spec', 'syncPolicy', 'automated').selfheal = true;
      at(appSet, 'spec', 'generators', 0, 'clusters').selecter = {};
      at(appSet, 'spec').syncOptions = ['PruneLast=true'];
      at(appSet, 'metadata').label = {};
      expect(fieldsOutsideSchema(appSet, SCHEMAS.ApplicationSet.validate).sort()).toEqual([
        'metadata.label',
        'spec.generators[0].clusters.selecter',
        'spec.syncOptions',
        'spec.template.spec.syncPolicy.automated.selfheal',
      ]);
      expect(() => validateStrictly('ApplicationSet', appSet)).toThrow(/spec\.syncOptions/);

      const app = rawOf('Application');
      at(app, 'spec', 'syncPolicy').retries = 3;
      expect(() => validateStrictly('Application', app)).toThrow(/spec\.syncPolicy\.retries/);
    });

    it('checks the AppProject description fields the compiled schema skips', () => {
      const project = rawOf('AppProject');
      at(project, 'spec').description = 'any text';
      expect(() => validateStrictly('AppProject', project)).not.toThrow();
      at(project, 'spec').description = 5;
      expect(() => validateStrictly('AppProject', project)).toThrow(/spec\.description/);
      at(project, 'spec').description = 'any text';
      at(project, 'spec').descriptions = 'any text';
      expect(() => validateStrictly('AppProject', project)).toThrow(/spec\.descriptions/);
    });

    it('reports schema errors and unknown kinds', () => {
      const appSet = rawOf('ApplicationSet');
      at(appSet, 'spec', 'template', 'spec', 'syncPolicy', 'retry').limit = 'five';
      expect(() => validateStrictly('ApplicationSet', appSet)).toThrow(/limit/);
      expect(() => argoKindOf({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProjects' })).toThrow(/unknown Argo CD object/);
      expect(() => argoKindOf({ apiVersion: 'argoproj.io/v1beta1', kind: 'Application' })).toThrow(/unknown Argo CD object/);
    });
  });
});

/** The one ApplicationSet, and the objects it leads to; looked up inside each test so a failure names its test. */
function theApplicationSet(): IApplicationSet {
  const [only, ...more] = objectsOf('ApplicationSet');
  if (!only || more.length > 0) throw new Error(`expected one ApplicationSet under ${ARGOCD_DIR}/`);
  return only;
}
const workloadProject = (): IAppProject => named('AppProject', theApplicationSet().spec.template.spec.project);
const rootApplication = (): IApplication => named('Application', ROOT_APP);
const bootstrapProject = (): IAppProject => named('AppProject', rootApplication().spec.project);

describe('the ApplicationSet', () => {
  it('is one, synced by the root application', () => {
    expect(objectsOf('ApplicationSet')).toHaveLength(1);
    expect(objectsOf('ApplicationSet', ROOT_APP_PATH)).toHaveLength(1);
  });

  it('uses Go templates that fail on a missing key', () => {
    const appSet = theApplicationSet();
    expect(appSet.spec.goTemplate).toBe(true);
    expect(appSet.spec.goTemplateOptions).toContain('missingkey=error');
  });

  it('generates from registered clusters selected by the env and role labels', () => {
    const appSet = theApplicationSet();
    expect(appSet.spec.generators).toHaveLength(1);
    const selector = appSet.spec.generators[0]?.clusters?.selector ?? {};
    expect(selector.matchLabels).toBeUndefined();
    const expressions = (selector.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])].sort() }));
    expect(expressions.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'env', operator: 'In', values: [...ENV_NAMES].sort() },
      { key: 'role', operator: 'In', values: [...CLUSTERS].sort() },
    ]);

    for (const [env, role] of COMBINATIONS) expect(selects(selector, { env, role })).toBe(true);
    // Argo CD's own unlabeled in-cluster entry, half-labeled and unknown clusters are left alone.
    const strangers: Array<Record<string, string>> = [{}, { env: 'dev' }, { role: 'backend' }, { env: 'staging', role: 'frontend' }, { env: 'prod', role: 'batch' }];
    for (const labels of strangers) {
      expect(selects(selector, labels)).toBe(false);
    }
  });

  it('keeps workloads running when an application is removed', () => {
    expect(theApplicationSet().spec.syncPolicy?.preserveResourcesOnDeletion).toBe(true);
  });

  it('puts its applications in a project of their own, not default, synced before it', () => {
    const project = workloadProject();
    expect(project.metadata.name).not.toBe('default');
    expect(objectsOf('AppProject', ROOT_APP_PATH).map((p) => p.metadata.name)).toContain(project.metadata.name);
    expect(syncWave(project)).toBeLessThan(syncWave(theApplicationSet()));
  });

  it('syncs automatically with prune and self-heal, retrying with backoff', () => {
    const policy = theApplicationSet().spec.template.spec.syncPolicy;
    expectAutomatedRetriedSync(policy);
    const options = policy?.syncOptions ?? [];
    // Old objects go only after every wave (migrations, workloads) of the new revision is healthy.
    expect(options).toContain('PruneLast=true');
    // The overlay declares the Namespace with its Pod Security labels; Argo CD must not make a bare one.
    expect(options).not.toContain('CreateNamespace=true');
  });

  it.each(COMBINATIONS)('renders for %s/%s an application on that cluster, its overlay and the shop namespace', (env, role) => {
    const project = workloadProject();
    const app = generatedApplication(theApplicationSet(), env, role);
    expect(app.metadata.name).toBe(clusterName(env, role));
    expect(app.spec.project).toBe(project.metadata.name);
    expect(app.spec.source).toEqual(expect.objectContaining({ repoURL: REPO_URLS[0], targetRevision: TRACKED_BRANCH, path: overlayPath(env, role) }));
    expect(app.spec.destination).toEqual({ name: clusterName(env, role), namespace: KUBERNETES_NAMESPACE });
    expect(permits(project, app.spec.destination)).toBe(true);
  });

  it('gives every cluster its own application', () => {
    const names = COMBINATIONS.map(([env, role]) => generatedApplication(theApplicationSet(), env, role).metadata.name);
    expect(new Set(names).size).toBe(COMBINATIONS.length);
  });
});

describe('the workload project', () => {
  it('takes sources from this repository only (one repository for every environment)', () => {
    expect(REPO_URLS).toHaveLength(1);
    expect(workloadProject().spec.sourceRepos).toEqual(REPO_URLS);
  });

  it('deploys only to the shop namespace of the registered frontend and backend clusters of each environment', () => {
    const project = workloadProject();
    const expected = COMBINATIONS.map(([env, role]) => ({ name: clusterName(env, role), namespace: KUBERNETES_NAMESPACE }));
    const byName = (a: { name?: string }, b: { name?: string }): number => (a.name ?? '').localeCompare(b.name ?? '');
    expect([...(project.spec.destinations ?? [])].sort(byName)).toEqual(expected.sort(byName));
    expect(permits(project, { name: clusterName('dev', 'frontend'), namespace: 'kube-system' })).toBe(false);
    expect(permits(project, { server: IN_CLUSTER, namespace: KUBERNETES_NAMESPACE })).toBe(false);
  });

  it('has no wildcard or deny pattern anywhere', () => {
    expect(stringsOf(workloadProject().spec).filter(([, value]) => value.includes('*') || value.startsWith('!'))).toEqual([]);
  });

  it('allows the Namespace as the only cluster-scoped kind, and the hook Jobs among the namespaced kinds', () => {
    const project = workloadProject();
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    const namespaced = (project.spec.namespaceResourceWhitelist ?? []).map(kindKey);
    expect(new Set(namespaced).size).toBe(namespaced.length);
    expect(namespaced).toEqual(expect.arrayContaining(['apps/Deployment', 'apps/StatefulSet', '/Service', '/ServiceAccount', '/ConfigMap', 'batch/Job']));
  });

  it('warns about objects in its namespace that Git does not declare', () => {
    expect(workloadProject().spec.orphanedResources?.warn).toBe(true);
  });

  describe.each(COMBINATIONS)('with the %s/%s overlay', (env, role) => {
    const overlay = overlayPath(env, role);

    it('the overlay the application syncs exists', () => {
      expect(fs.existsSync(path.join(ROOT, overlay, 'kustomization.yaml'))).toBe(true);
    });

    it('permits every object the overlay renders, in the shop namespace', () => {
      const project = workloadProject();
      const rendered: unknown[] = kustomize(overlay);
      expect(rendered.length).toBeGreaterThan(0);
      const allowed = new Set([...(project.spec.clusterResourceWhitelist ?? []), ...(project.spec.namespaceResourceWhitelist ?? [])].map(kindKey));
      const refused = rendered.flatMap((object) => {
        if (!isRecord(object) || !isRecord(object.metadata)) return ['a document that is not a Kubernetes object'];
        const id = `${String(object.kind)} ${String(object.metadata.name)}`;
        const problems: string[] = [];
        if (!allowed.has(kindKey({ group: groupOf(String(object.apiVersion)), kind: String(object.kind) }))) problems.push(`${id}: kind not allowed by the project`);
        if (object.metadata.namespace !== undefined && object.metadata.namespace !== KUBERNETES_NAMESPACE) problems.push(`${id}: namespace ${String(object.metadata.namespace)}`);
        if (object.kind === 'Namespace' && object.metadata.name !== KUBERNETES_NAMESPACE) problems.push(`${id}: other namespace`);
        return problems;
      });
      expect(refused).toEqual([]);
    });
  });
});

describe('the root application', () => {
  it('is applied by hand from argocd/root.yaml, with the project it runs in', () => {
    expect(MANIFESTS.filter((m) => m.file === `${ARGOCD_DIR}/root.yaml`).map((m) => argoKindOf(m.value)).sort()).toEqual(['AppProject', 'Application']);
    expect(objectsOf('Application', ARGOCD_DIR).map((a) => a.metadata.name)).toEqual([ROOT_APP]);
    expect(objectsOf('AppProject', ROOT_APP_PATH).map((p) => p.metadata.name)).not.toContain(bootstrapProject().metadata.name);
  });

  it('syncs argocd/apps of this repository into Argo CD itself', () => {
    const root = rootApplication();
    expect(root.metadata.namespace).toBe(ARGOCD_NAMESPACE);
    expect(root.spec.source).toEqual(expect.objectContaining({ repoURL: REPO_URLS[0], targetRevision: TRACKED_BRANCH, path: ROOT_APP_PATH }));
    expect(root.spec.source?.directory?.recurse).not.toBe(true);
    expect(root.spec.destination).toEqual({ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE });
    expect(permits(bootstrapProject(), root.spec.destination)).toBe(true);
  });

  it('finds exactly the workload project and the ApplicationSet there', () => {
    const synced = MANIFESTS.filter((m) => m.file.startsWith(`${ROOT_APP_PATH}/`)).map((m) => argoKindOf(m.value)).sort();
    expect(synced).toEqual(['AppProject', 'ApplicationSet']);
  });

  it('syncs automatically with prune and self-heal, retrying with backoff', () => {
    expectAutomatedRetriedSync(rootApplication().spec.syncPolicy);
  });

  it('never cascades a deletion into the workload applications', () => {
    expect(rootApplication().metadata.finalizers ?? []).toEqual([]);
  });

  it('runs in a project of its own limited to Argo CD objects in the Argo CD namespace, from this repository', () => {
    const bootstrap = bootstrapProject();
    expect(bootstrap.metadata.name).not.toBe('default');
    expect(bootstrap.spec.sourceRepos).toEqual(REPO_URLS);
    expect(bootstrap.spec.destinations).toEqual([{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }]);
    expect(bootstrap.spec.clusterResourceWhitelist ?? []).toEqual([]);
    expect((bootstrap.spec.namespaceResourceWhitelist ?? []).map(kindKey).sort()).toEqual(['argoproj.io/AppProject', 'argoproj.io/ApplicationSet']);
    expect(stringsOf(bootstrap.spec).filter(([, value]) => value.includes('*'))).toEqual([]);
  });
});
