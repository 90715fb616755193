import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { parse } from 'yaml';
import { STACK_ORDER } from '@shop/cdktf';
import { CLUSTERS, DEPLOYABLES, ENV_NAMES, deployablesOf, imageRepository, overlayPath, type Deployable } from '../src/deployables';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOWS_DIR = path.join(ROOT, '.github', 'workflows');
const SCRIPTS_DIR = path.join(ROOT, '.github', 'scripts');

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
type Mapping = { [key: string]: Yaml };
type Permissions = string | Record<string, string>;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Mapping;
  env?: Mapping;
}

interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  permissions?: Permissions;
  environment?: string | { name: string };
  strategy?: { matrix?: Mapping };
  services?: Record<string, { image: string }>;
  steps?: Step[];
  uses?: string;
}

interface Workflow {
  on: Yaml;
  permissions?: Permissions;
  concurrency?: string | { group?: string };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

interface WorkflowFile {
  file: string;
  source: string;
  workflow: Workflow;
}

const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The shape is the JSON schema's, which action-validator checks below; this only guards the parse. */
function parseWorkflow(source: string): Workflow {
  const doc: unknown = parse(source);
  if (!isMapping(doc) || !isMapping(doc.jobs) || doc.on === undefined) throw new Error('not a workflow: needs `on` and `jobs`');
  return doc as unknown as Workflow;
}

const WORKFLOWS: WorkflowFile[] = readdirSync(WORKFLOWS_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map((file) => {
    const source = readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8');
    return { file, source, workflow: parseWorkflow(source) };
  });

function workflow(file: string): Workflow {
  const found = WORKFLOWS.find((w) => w.file === file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found.workflow;
}

// ---------------------------------------------------------------------------------------------
// Reading workflows

/** Trigger names with their settings, whichever of the three `on` forms is used. */
function triggers(wf: Workflow): Record<string, Yaml> {
  if (typeof wf.on === 'string') return { [wf.on]: null };
  if (Array.isArray(wf.on)) return Object.fromEntries(wf.on.map((name) => [String(name), null]));
  return isMapping(wf.on) ? wf.on : {};
}

const stepsOf = (job: Job): Step[] => job.steps ?? [];
const scriptOf = (job: Job): string => stepsOf(job).map((s) => s.run ?? '').join('\n');
const actionOf = (step: Step): string => (step.uses ?? '').split('@')[0] ?? '';
const isAuthStep = (step: Step): boolean => actionOf(step) === 'google-github-actions/auth';
const isCheckout = (step: Step): boolean => actionOf(step) === 'actions/checkout';
const environmentOf = (job: Job): string | undefined => (typeof job.environment === 'string' ? job.environment : job.environment?.name);
const textOf = (value: Yaml | undefined): string => (value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** Every `uses:` of a workflow: reusable workflows (jobs) and actions (steps). */
function actionRefs(wf: Workflow): { where: string; uses: string }[] {
  return Object.entries(wf.jobs).flatMap(([id, job]) => [
    ...(job.uses ? [{ where: id, uses: job.uses }] : []),
    ...stepsOf(job).flatMap((step, i) => (step.uses ? [{ where: `${id} step ${i + 1}`, uses: step.uses }] : [])),
  ]);
}

/** A job's token scopes: its own, else the workflow's. */
const permissionsOf = (wf: Workflow, job: Job): Permissions | undefined => job.permissions ?? wf.permissions;

function hasWrite(perms: Permissions | undefined, scope: string): boolean {
  if (perms === undefined || typeof perms === 'string') return perms !== 'read-all';
  return perms[scope] === 'write';
}

function matrixInclude(job: Job | undefined): Record<string, string>[] {
  const include = job?.strategy?.matrix?.include;
  if (!Array.isArray(include)) return [];
  return include.map((entry) => {
    if (!isMapping(entry)) throw new Error('matrix include entries are mappings');
    return Object.fromEntries(Object.entries(entry).map(([key, value]) => [key, textOf(value)]));
  });
}

function validationMessages(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const here = `${'path' in e ? e.path : ''} ${e.title}${e.detail ? `: ${e.detail}` : ''}`.trim();
    const nested = 'states' in e && e.states ? e.states.flatMap((s) => validationMessages(s.errors)) : [];
    return [here, ...nested.map((n) => `  ${n}`)];
  });
}

// ---------------------------------------------------------------------------------------------
// Rules: each returns what it found wrong, so a failure names the offending job or line.

const SHA_PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;
const DIGEST_PINNED = /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;

function unpinnedActions(wf: Workflow): string[] {
  return actionRefs(wf)
    .filter(({ uses }) => !uses.startsWith('./') && !SHA_PINNED.test(uses) && !DIGEST_PINNED.test(uses))
    .map(({ where, uses }) => `${where}: ${uses}`);
}

/** A SHA says nothing to a reviewer: each pinned line names its release, `# vX.Y.Z`. */
function unversionedPins(source: string): string[] {
  return source
    .split('\n')
    .map((line, i) => ({ line, number: i + 1, match: /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/.exec(line) }))
    .filter(({ match }) => match !== null && !(match[1] ?? '').startsWith('./') && !/^#\s*v\d+\.\d+\.\d+\s*$/.test(match[2] ?? ''))
    .map(({ line, number }) => `line ${number}: ${line.trim()}`);
}

const TOP_LEVEL_PERMISSIONS = ['{}', '{"contents":"read"}'];
const READ_SCOPES = ['contents'];
/** Write scopes a job may hold, each only when the job does the thing that needs it. */
const WRITE_SCOPES: Record<string, { does: string; needs: (job: Job) => boolean }> = {
  'id-token': { does: 'authenticate to Google Cloud', needs: (job) => stepsOf(job).some(isAuthStep) },
  contents: { does: 'push commits', needs: (job) => /\bgit push\b/.test(scriptOf(job)) },
  'pull-requests': { does: 'open a pull request', needs: (job) => /\bgh pr create\b/.test(scriptOf(job)) },
  actions: { does: 'dispatch a workflow', needs: (job) => /\bgh workflow run\b/.test(scriptOf(job)) },
};

function permissionFindings(wf: Workflow): string[] {
  const found: string[] = [];
  const top = wf.permissions;
  if (top === undefined) found.push('no top-level permissions: the token would get the repository default');
  else if (!TOP_LEVEL_PERMISSIONS.includes(JSON.stringify(top))) found.push(`top-level permissions ${JSON.stringify(top)}; expected {} or contents: read`);
  for (const [id, job] of Object.entries(wf.jobs)) {
    const perms = permissionsOf(wf, job);
    if (perms === undefined) continue;
    if (typeof perms === 'string') {
      found.push(`${id}: permissions ${perms}; name the scopes`);
      continue;
    }
    for (const [scope, level] of Object.entries(perms)) {
      if (level === 'none') continue;
      if (level === 'read' && READ_SCOPES.includes(scope)) continue;
      const rule = WRITE_SCOPES[scope];
      if (level !== 'write' || !rule) found.push(`${id}: ${scope}: ${level} is never needed`);
      else if (!rule.needs(job)) found.push(`${id}: ${scope}: write but it does not ${rule.does}`);
    }
    if (stepsOf(job).some(isAuthStep) && perms['id-token'] !== 'write') found.push(`${id}: authenticates to Google Cloud without id-token: write`);
  }
  return found;
}

const KEY_PATTERNS: [RegExp, string][] = [
  [/credentials_json/, 'credentials_json (a service account key)'],
  [/GOOGLE_CREDENTIALS/, 'GOOGLE_CREDENTIALS'],
  [/service_account_key/, 'service_account_key'],
  [/GOOGLE_APPLICATION_CREDENTIALS\s*[:=]/, 'GOOGLE_APPLICATION_CREDENTIALS set by hand'],
  [/private_key/, 'an inline private key'],
  [/secrets\.\w*KEY/i, 'a secret named like a key'],
  [/secrets\.(?!GITHUB_TOKEN\b)\w/, 'a repository secret: cloud access is keyless'],
  [/secrets:\s*inherit/, 'secrets: inherit'],
];

const FROM_VARS = /^\$\{\{\s*vars[.[]/;

/** Keyless only: no key material anywhere, and every Google login is Workload Identity Federation. */
function keyFindings(source: string, wf: Workflow): string[] {
  const found = KEY_PATTERNS.filter(([pattern]) => pattern.test(source)).map(([, what]) => `uses ${what}`);
  for (const [id, job] of Object.entries(wf.jobs)) {
    for (const step of stepsOf(job).filter(isAuthStep)) {
      const provider = textOf(step.with?.workload_identity_provider);
      const account = textOf(step.with?.service_account);
      if (!FROM_VARS.test(provider) || !FROM_VARS.test(account)) {
        found.push(`${id}: google-github-actions/auth without workload_identity_provider and service_account from vars`);
      }
    }
  }
  return found;
}

const prTargetFindings = (wf: Workflow): string[] => ('pull_request_target' in triggers(wf) ? ['runs on pull_request_target'] : []);

/** True when the job's `if` requires an event other than a pull request, with no way around it. */
function gatedToNonPullRequestEvent(job: Job): boolean {
  const condition = (job.if ?? '').replace(/^\s*\$\{\{|\}\}\s*$/g, '');
  if (condition.includes('||') || /\b(always|cancelled|failure)\(\)/.test(condition)) return false;
  return condition.split('&&').some((term) => {
    const event = /^\s*github\.event_name\s*==\s*'([a-z_]+)'\s*$/.exec(term)?.[1];
    return event !== undefined && !event.startsWith('pull_request');
  });
}

const PR_REF = /github\.event\.pull_request|github\.head_ref|workflow_run\.head|refs\/pull\//;

/** No job that can mint a cloud token runs pull-request code. */
function prCodeWithTokenFindings(wf: Workflow): string[] {
  const onPullRequests = Object.keys(triggers(wf)).some((name) => name.startsWith('pull_request'));
  const found: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (!hasWrite(permissionsOf(wf, job), 'id-token')) continue;
    if (onPullRequests && !gatedToNonPullRequestEvent(job)) found.push(`${id}: has id-token: write and can run on a pull request`);
    for (const step of stepsOf(job).filter(isCheckout)) {
      if (PR_REF.test(textOf(step.with?.ref) + textOf(step.with?.repository))) found.push(`${id}: has id-token: write and checks out pull-request code`);
    }
  }
  return found;
}

function concurrencyFindings(wf: Workflow): string[] {
  const group = typeof wf.concurrency === 'string' ? wf.concurrency : wf.concurrency?.group;
  return group && group.trim() ? [] : ['no concurrency group'];
}

/** Jobs that can change prod or apply infrastructure wait for an environment's approval. */
function unprotectedFindings(wf: Workflow): string[] {
  return Object.entries(wf.jobs)
    .filter(([, job]) => stepsOf(job).some((s) => isAuthStep(s) && /prod|apply/i.test(textOf(s.with?.service_account))))
    .filter(([, job]) => !environmentOf(job))
    .map(([id]) => `${id}: can change prod or infrastructure outside a protected environment`);
}

/** A push with a personal or app token would start workflows again; the workflow token does not. */
function retriggeringPushFindings(wf: Workflow): string[] {
  return Object.entries(wf.jobs)
    .filter(([, job]) => /\bgit push\b/.test(scriptOf(job)))
    .flatMap(([id, job]) =>
      stepsOf(job)
        .filter((s) => isCheckout(s) && s.with?.token !== undefined && !/^\$\{\{\s*(github\.token|secrets\.GITHUB_TOKEN)\s*\}\}$/.test(textOf(s.with.token)))
        .map(() => `${id}: pushes with a token other than the workflow token`),
    );
}

// ---------------------------------------------------------------------------------------------

describe('the workflow checks', () => {
  // Every rule below must be able to fail: this workflow breaks each one.
  const BAD = `
name: Bad
on:
  pull_request_target:
  pull_request:
permissions: write-all
jobs:
  deploy:
    runs-on: ubuntu-24.04
    permissions:
      id-token: write
      contents: write
      packages: write
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
          token: \${{ secrets.RELEASE_PAT }}
      - uses: google-github-actions/auth@6fc4af4b145ae7821d527454aa9bd537d1f2dc5f
        with:
          credentials_json: \${{ secrets.GCP_SA_KEY }}
          service_account: shop-prod-release@shop-platform-prod.iam.gserviceaccount.com
      - run: git push origin HEAD:main
  reuse:
    uses: shop-platform/workflows/.github/workflows/deploy.yml@main
`;
  const bad = parseWorkflow(BAD);

  it('find unpinned actions and reusable workflows', () => {
    expect(unpinnedActions(bad)).toEqual(['deploy step 1: actions/checkout@v4', 'reuse: shop-platform/workflows/.github/workflows/deploy.yml@main']);
  });

  it('find pins without a release comment', () => {
    expect(unversionedPins(BAD)).toHaveLength(3);
  });

  it('find undeclared, broad and unneeded permissions', () => {
    expect(permissionFindings(bad)).toEqual([
      'top-level permissions "write-all"; expected {} or contents: read',
      'deploy: packages: write is never needed',
      'reuse: permissions write-all; name the scopes',
    ]);
    expect(permissionFindings(parseWorkflow('on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: "true"\n'))).toEqual([
      'no top-level permissions: the token would get the repository default',
    ]);
  });

  it('find long-lived keys', () => {
    expect(keyFindings(BAD, bad)).toEqual([
      'uses credentials_json (a service account key)',
      'uses a secret named like a key',
      'uses a repository secret: cloud access is keyless',
      'deploy: google-github-actions/auth without workload_identity_provider and service_account from vars',
    ]);
  });

  it('find pull_request_target and cloud tokens next to pull-request code', () => {
    expect(prTargetFindings(bad)).toEqual(['runs on pull_request_target']);
    expect(prCodeWithTokenFindings(bad)).toEqual([
      'deploy: has id-token: write and can run on a pull request',
      'deploy: has id-token: write and checks out pull-request code',
      'reuse: has id-token: write and can run on a pull request',
    ]);
  });

  it('accept only a gate that excludes pull requests', () => {
    const job = (condition: string): Job => ({ if: condition });
    expect(gatedToNonPullRequestEvent(job("github.event_name == 'push'"))).toBe(true);
    expect(gatedToNonPullRequestEvent(job("${{ github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main' }}"))).toBe(true);
    expect(gatedToNonPullRequestEvent(job("github.event_name == 'push' || github.event_name == 'pull_request'"))).toBe(false);
    expect(gatedToNonPullRequestEvent(job("github.event_name == 'pull_request'"))).toBe(false);
    expect(gatedToNonPullRequestEvent(job("always() && github.event_name == 'push'"))).toBe(false);
    expect(gatedToNonPullRequestEvent(job(''))).toBe(false);
  });

  it('find missing concurrency, unprotected prod access and pushes that retrigger workflows', () => {
    expect(concurrencyFindings(bad)).toEqual(['no concurrency group']);
    expect(unprotectedFindings(bad)).toEqual(['deploy: can change prod or infrastructure outside a protected environment']);
    expect(retriggeringPushFindings(bad)).toEqual(['deploy: pushes with a token other than the workflow token']);
  });
});

describe('every workflow', () => {
  it('includes CI, release and infrastructure, each described in the README', () => {
    const files = WORKFLOWS.map((w) => w.file);
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml', 'infra.yml']));
    const readme = readFileSync(path.join(WORKFLOWS_DIR, 'README.md'), 'utf8');
    expect(files.filter((file) => !readme.includes(`\`${file}\``))).toEqual([]);
  });

  describe.each(WORKFLOWS.map((w) => [w.file, w] as const))('%s', (_file, { source, workflow: wf }) => {
    it('passes action-validator', () => {
      // The validator cannot check path globs from WebAssembly and says so on console.warn.
      const warnings: string[] = [];
      const warn = jest.spyOn(console, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
      try {
        expect(validationMessages(validateWorkflow(source).errors)).toEqual([]);
      } finally {
        warn.mockRestore();
      }
      expect(warnings.filter((w) => !w.startsWith('WARNING: Glob validation is not yet supported'))).toEqual([]);
    });

    it('pins every action and reusable workflow to a commit SHA with its release in a comment', () => {
      expect(actionRefs(wf).length).toBeGreaterThan(0);
      expect(unpinnedActions(wf)).toEqual([]);
      expect(unversionedPins(source)).toEqual([]);
    });

    it('declares minimal permissions, widened per job only for what the job does', () => {
      expect(permissionFindings(wf)).toEqual([]);
    });

    it('uses no long-lived keys', () => {
      expect(keyFindings(source, wf)).toEqual([]);
    });

    it('never runs pull-request code with a cloud token', () => {
      expect(prTargetFindings(wf)).toEqual([]);
      expect(prCodeWithTokenFindings(wf)).toEqual([]);
    });

    it('has a concurrency group', () => {
      expect(concurrencyFindings(wf)).toEqual([]);
    });

    it('changes prod and infrastructure only behind an environment, and pushes only with the workflow token', () => {
      expect(unprotectedFindings(wf)).toEqual([]);
      expect(retriggeringPushFindings(wf)).toEqual([]);
    });
  });

  it('has scripts free of keys too', () => {
    const scripts = existsSync(SCRIPTS_DIR) ? readdirSync(SCRIPTS_DIR) : [];
    const found = scripts.flatMap((file) => {
      const text = readFileSync(path.join(SCRIPTS_DIR, file), 'utf8');
      return KEY_PATTERNS.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${file} uses ${what}`);
    });
    expect(found).toEqual([]);
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const jobs = Object.values(ci.jobs);
  const scripts = jobs.map(scriptOf).join('\n');

  it('runs on pull requests and main with path filters', () => {
    const on = triggers(ci);
    for (const event of ['pull_request', 'push']) {
      const settings = on[event];
      const filters = isMapping(settings) ? (settings.paths ?? settings['paths-ignore']) : undefined;
      expect({ event, filtered: Array.isArray(filters) && filters.length > 0 }).toEqual({ event, filtered: true });
      expect({ event, branches: isMapping(settings) ? settings.branches : undefined }).toEqual({ event, branches: ['main'] });
    }
  });

  it('installs, typechecks, lints, builds every overlay and synthesizes the infrastructure', () => {
    for (const command of ['npm ci', 'npm run typecheck', 'npx tsc -p services/tsconfig.test.json', 'npm run lint', 'kustomize build', 'kubeconform', 'npm run synth -w cdktf']) {
      expect({ command, run: scripts.includes(command) }).toEqual({ command, run: true });
    }
  });

  it('runs npm test against Postgres 15, Redis 7 and the Pub/Sub emulator on Node 20', () => {
    const test = jobs.find((job) => /\bnpm test\b/.test(scriptOf(job)));
    expect(Object.values(test?.services ?? {}).map((s) => s.image).sort()).toEqual(['postgres:15', 'redis:7']);
    const gcloud = stepsOf(test ?? {}).find((s) => actionOf(s) === 'google-github-actions/setup-gcloud');
    expect(textOf(gcloud?.with?.install_components).split(',').map((c) => c.trim())).toEqual(['beta', 'pubsub-emulator']);
    const nodeVersions = jobs.flatMap(stepsOf).filter((s) => actionOf(s) === 'actions/setup-node').map((s) => textOf(s.with?.['node-version']));
    expect(new Set(nodeVersions)).toEqual(new Set(['20']));
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');
  const jobs = Object.entries(release.jobs);
  const hasDockerfile = (d: Deployable) => existsSync(path.join(ROOT, d.dockerfile));
  const built = DEPLOYABLES.filter(hasDockerfile);
  const runsIn = (env: 'dev' | 'prod', d: Deployable) => deployablesOf(env, d.cluster).includes(d);
  const buildJob = jobs.find(([, job]) => stepsOf(job).some((s) => actionOf(s) === 'docker/build-push-action'))?.[1];
  const promoteJob = jobs.find(([, job]) => /\bskopeo copy\b/.test(scriptOf(job)))?.[1];
  const overlayPaths = (job: Job) => [...scriptOf(job).matchAll(/k8s\/overlays\/[\w./-]*/g)].map((m) => m[0]);

  it('builds exactly the deployables whose Dockerfile exists, each for the dev overlay that runs it', () => {
    expect(built.length).toBeGreaterThan(0);
    expect(built.filter((d) => !runsIn('dev', d)).map((d) => d.name)).toEqual([]);
    expect(matrixInclude(buildJob)).toEqual(built.map((d) => ({ name: d.name, dockerfile: d.dockerfile, overlay: overlayPath('dev', d.cluster) })));
  });

  it('pushes to the registries the overlays name', () => {
    for (const d of built) {
      expect(`${release.env?.DEV_REGISTRY}/${d.name}`).toBe(imageRepository('dev', d.name));
      expect(`${release.env?.PROD_REGISTRY}/${d.name}`).toBe(imageRepository('prod', d.name));
    }
  });

  it('touches only dev overlays on main and only prod overlays when promoting', () => {
    const overlaysOf = (env: 'dev' | 'prod') => CLUSTERS.map((c) => overlayPath(env, c));
    const outside = (entries: Record<string, string>[], key: string, env: 'dev' | 'prod') => entries.map((e) => e[key] ?? '').filter((o) => !overlaysOf(env).includes(o));
    expect(outside(matrixInclude(buildJob), 'overlay', 'dev')).toEqual([]);
    expect(outside(matrixInclude(promoteJob), 'source', 'dev')).toEqual([]);
    expect(outside(matrixInclude(promoteJob), 'overlay', 'prod')).toEqual([]);
    // Scripts take overlays from the matrices above only.
    expect(jobs.flatMap(([id, job]) => overlayPaths(job).map((p) => `${id}: ${p}`))).toEqual([]);
  });

  it('promotes to prod the digests dev runs, for what prod runs, behind the prod environment', () => {
    const promoted = built.filter((d) => runsIn('prod', d));
    expect(matrixInclude(promoteJob)).toEqual(promoted.map((d) => ({ name: d.name, source: overlayPath('dev', d.cluster), overlay: overlayPath('prod', d.cluster) })));
    expect(promoteJob && environmentOf(promoteJob)).toBe('prod');
    const prJob = jobs.find(([, job]) => /\bgh pr create\b/.test(scriptOf(job)))?.[1];
    expect(prJob && hasWrite(permissionsOf(release, prJob), 'id-token')).toBe(false);
  });

  it('runs on main only and cannot retrigger itself', () => {
    const on = triggers(release);
    expect(Object.keys(on).sort()).toEqual(['push', 'workflow_dispatch']);
    const push = on.push;
    expect(isMapping(push) && push.branches).toEqual(['main']);
    expect(isMapping(push) && push['paths-ignore']).toEqual(expect.arrayContaining(['k8s/overlays/**']));
    expect(jobs.filter(([, job]) => /\bgit push\b/.test(scriptOf(job))).map(([id]) => id).sort()).toEqual(['deploy-dev', 'promote-pr']);
  });
});

describe('infra.yml', () => {
  const infra = workflow('infra.yml');
  const jobs = Object.values(infra.jobs);
  const withToken = jobs.filter((job) => hasWrite(permissionsOf(infra, job), 'id-token'));

  it('plans and applies every stack in STACK_ORDER for every environment', () => {
    expect((infra.env?.STACKS ?? '').split(/\s+/)).toEqual([...STACK_ORDER]);
    expect((infra.env?.ENVIRONMENTS ?? '').split(/\s+/)).toEqual(ENV_NAMES);
    expect(withToken.length).toBe(2);
    for (const job of withToken) expect(matrixInclude(job).map((entry) => entry.env)).toEqual(ENV_NAMES);
  });

  it('validates pull requests without a cloud token and applies on main behind approval', () => {
    expect(Object.keys(triggers(infra)).sort()).toEqual(['pull_request', 'push']);
    const onPullRequests = jobs.filter((job) => !gatedToNonPullRequestEvent(job));
    expect(onPullRequests.map((job) => [scriptOf(job).includes('terraform-stacks.sh validate'), hasWrite(permissionsOf(infra, job), 'id-token')])).toEqual([[true, false]]);
    const apply = jobs.find((job) => scriptOf(job).includes('terraform-stacks.sh apply'));
    expect(apply && environmentOf(apply)).toMatch(/^infra-/);
  });
});
