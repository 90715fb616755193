/**
 * Shared helpers for the manifest tests: build with `kubectl kustomize`, parse YAML, find the
 * schema model of an object and validate it strictly. Exports (kept stable for other test files):
 *
 * - `REPO_ROOT`, `K8S_ROOT`: absolute paths.
 * - `KubeObject`: a parsed Kubernetes object.
 * - `parseObjects(text, source?)`: every YAML document of a stream, empty documents dropped; errors name the source.
 * - `kustomize(dir)`: `kubectl kustomize <dir>` (relative to the repository root or absolute), parsed.
 * - `kustomizeWithComponents(overlayDir, components)`: that overlay with only the given components.
 * - `MODEL_PACKAGES`, `modelFor(apiVersion, kind)`: the model class and module (`ModelInfo`) of an object type, or undefined.
 * - `schemaErrors(object)`: schema violations, unknown fields and a missing model, as messages (empty = valid).
 * - `prepareSchemas(objects)`: optional warm-up of `schemaErrors` for every model the objects use.
 * - `podTemplateOf(object)`: the pod template (`PodTemplate`, its `Container`s) of a Deployment, StatefulSet or Job, or undefined.
 * - `find(objects, kind, name)`: one object by kind and name, or undefined.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const K8S_ROOT = path.join(REPO_ROOT, 'k8s');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export function parseObjects(text: string, source = 'YAML'): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc, index) => {
      if (doc.errors.length) throw new Error(`${source} document ${index}: ${doc.errors.map((e) => e.message).join('\n')}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

function runKustomize(dir: string, extraArgs: string[] = []): KubeObject[] {
  const abs = path.resolve(REPO_ROOT, dir);
  const out = execFileSync('kubectl', ['kustomize', ...extraArgs, abs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  return parseObjects(out);
}

export function kustomize(dir: string): KubeObject[] {
  return runKustomize(dir);
}

interface KustomizationPaths {
  resources?: string[];
  components?: string[];
  patches?: { path?: string }[];
  [field: string]: unknown;
}

/**
 * Builds an overlay with a subset of its components: a copy of its kustomization.yaml in a
 * temporary folder, paths pointing back at the overlay (hence LoadRestrictionsNone).
 */
export function kustomizeWithComponents(overlayDir: string, components: readonly string[]): KubeObject[] {
  const source = path.resolve(REPO_ROOT, overlayDir);
  const kustomization = parse(fs.readFileSync(path.join(source, 'kustomization.yaml'), 'utf8')) as KustomizationPaths;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-combination-'));
  try {
    const rebase = (p: string) => path.relative(tmp, path.resolve(source, p));
    const copy: KustomizationPaths = {
      ...kustomization,
      resources: (kustomization.resources ?? []).map(rebase),
      components: components.map(rebase),
      patches: (kustomization.patches ?? []).map((p) => (p.path ? { ...p, path: rebase(p.path) } : p)),
    };
    fs.writeFileSync(path.join(tmp, 'kustomization.yaml'), JSON.stringify(copy));
    return runKustomize(tmp, ['--load-restrictor', 'LoadRestrictionsNone']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Model packages, searched in this order; each lays out `<group>/<version>/<Kind>` (core: `<version>/<Kind>`). */
export const MODEL_PACKAGES = ['kubernetes-models', '@kubernetes-models/gke', '@kubernetes-models/gateway-api', '@kubernetes-models/argo-cd'] as const;

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

export interface ModelInfo {
  /** Module specifier, e.g. `kubernetes-models/apps/v1/Deployment`. */
  module: string;
  model: ModelClass;
}

// Loaded with Node's own require: thousands of compiled schema files need no jest transform.
const load = createRequire(__filename);
const models = new Map<string, ModelInfo | undefined>();

export function modelFor(apiVersion: string, kind: string): ModelInfo | undefined {
  const key = `${apiVersion}/${kind}`;
  if (models.has(key)) return models.get(key);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  let found: ModelInfo | undefined;
  for (const pkg of MODEL_PACKAGES) {
    const module = group ? `${pkg}/${group}/${version}/${kind}` : `${pkg}/${version}/${kind}`;
    let exports: Record<string, unknown>;
    try {
      exports = load(module) as Record<string, unknown>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' || (err as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') continue;
      throw err;
    }
    const model = exports[kind] as ModelClass | undefined;
    if (model && model.apiVersion === apiVersion && model.kind === kind) {
      found = { module, model };
      break;
    }
  }
  models.set(key, found);
  return found;
}

/**
 * The models' validate() checks types, formats and required fields but lets unknown fields
 * through (their schemas set no additionalProperties: false). The models' own TypeScript
 * declarations list every field, so a type checker over them finds the unknown ones.
 */
class FieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly types = new Map<string, ts.Type>();

  constructor(modules: readonly string[]) {
    const entry = path.join(K8S_ROOT, 'test', '__model-types__.ts');
    const source = modules.map((m, i) => `export type T${i} = import('${m}').I${path.posix.basename(m)};`).join('\n');
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: [],
      noEmit: true,
      skipLibCheck: true,
      strict: true,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const readFile = host.readFile.bind(host);
    host.getSourceFile = (name, lang, onError, create) => (name === entry ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, onError, create));
    host.fileExists = (name) => name === entry || fileExists(name);
    host.readFile = (name) => (name === entry ? source : readFile(name));
    const program = ts.createProgram([entry], options, host);
    this.checker = program.getTypeChecker();
    const file = program.getSourceFile(entry);
    const symbol = file && this.checker.getSymbolAtLocation(file);
    if (!symbol) throw new Error('model declarations did not load');
    for (const exported of this.checker.getExportsOfModule(symbol)) {
      const index = Number(exported.name.slice(1));
      const module = modules[index];
      if (module !== undefined) this.types.set(module, this.checker.getDeclaredTypeOfSymbol(exported));
    }
  }

  unknownFields(module: string, value: unknown): string[] {
    const type = this.types.get(module);
    if (!type) return [`no declarations for ${module}`];
    const errors: string[] = [];
    this.walk(value, type, '', errors);
    return errors;
  }

  private walk(value: unknown, declared: ts.Type, at: string, errors: string[]): void {
    if (value === null || value === undefined || typeof value !== 'object') return;
    const type = this.checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (type.isUnion()) {
      const candidates = type.types.filter((t) => t.flags & ts.TypeFlags.Object);
      if (candidates.length === 0) return;
      let best: string[] | undefined;
      for (const candidate of candidates) {
        const found: string[] = [];
        this.walk(value, candidate, at, found);
        if (found.length === 0) return;
        if (!best || found.length < best.length) best = found;
      }
      errors.push(...(best ?? []));
      return;
    }
    if (Array.isArray(value)) {
      if (!this.checker.isArrayType(type)) return;
      const element = this.checker.getTypeArguments(type as ts.TypeReference)[0];
      if (element) value.forEach((item, i) => this.walk(item, element, `${at}[${i}]`, errors));
      return;
    }
    const index = this.checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
    for (const [key, child] of Object.entries(value)) {
      const property = this.checker.getPropertyOfType(type, key);
      if (property) this.walk(child, this.checker.getTypeOfSymbol(property), `${at}.${key}`, errors);
      else if (index) this.walk(child, index.type, `${at}.${key}`, errors);
      else errors.push(`${at}.${key}: unknown field`);
    }
  }
}

let fieldChecker: { modules: ReadonlySet<string>; checker: FieldChecker } | undefined;

/** One type checker over every model module needed so far, rebuilt only when a new one is asked for. */
function checkerFor(modules: Iterable<string>): FieldChecker {
  const wanted = new Set(fieldChecker?.modules);
  for (const m of modules) wanted.add(m);
  if (!fieldChecker || wanted.size > fieldChecker.modules.size) {
    fieldChecker = { modules: wanted, checker: new FieldChecker([...wanted].sort()) };
  }
  return fieldChecker.checker;
}

/** Builds the field checker once for every model the objects use (optional; saves rebuilds). */
export function prepareSchemas(objects: readonly KubeObject[]): void {
  checkerFor(objects.map((o) => modelFor(o.apiVersion, o.kind)?.module).filter((m): m is string => m !== undefined));
}

export function schemaErrors(object: KubeObject): string[] {
  const where = `${object.kind}/${object.metadata?.name ?? '?'}`;
  const info = modelFor(object.apiVersion, object.kind);
  if (!info) return [`${where}: no schema model for ${object.apiVersion} ${object.kind}`];
  const errors: string[] = [];
  try {
    new info.model(object).validate();
  } catch (err) {
    errors.push(`${where}: ${(err as Error).message}`);
  }
  for (const e of checkerFor([info.module]).unknownFields(info.module, object)) errors.push(`${where}: ${e}`);
  return errors;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: Record<string, unknown> & { containers: Container[]; initContainers?: Container[] };
}

export interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  if (!['Deployment', 'StatefulSet', 'Job'].includes(object.kind)) return undefined;
  return (object.spec as { template: PodTemplate }).template;
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}
