import fs from 'node:fs';
import path from 'node:path';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { DEPLOYABLES, deployablesWithCode, IMAGE_DIGEST, renderDockerfile, workspaceClosure as closureIn, type Deployable } from '../src';
import { REPO_ROOT as ROOT } from './support';

/**
 * Image rules, checked on the Dockerfiles themselves since no Docker engine builds them here:
 * multi-stage, `npm ci` and the build in a build stage, production dependencies only in the last
 * stage, one Node major everywhere, base images pinned by digest, a non-root user, no shell needed
 * at run time, and an exec-form command that starts the deployable's compiled entry point.
 */

const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
const workspaceClosure = (dir: string): string[] => closureIn(ROOT, dir);

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

function stagesOf(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const as = args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? (args[as + 1] ?? null) : null, image: args.find((a) => !a.startsWith('--')) ?? '', instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const argsOf = (i: Instruction): string => i.getArgumentsContent() ?? '';
const runs = (stage: Stage): string[] => stage.instructions.filter((i) => i.getKeyword() === 'RUN').map(argsOf);
const fromFlag = (i: Instruction): string | null => (i instanceof Copy ? (i.getFromFlag()?.getValue() ?? null) : null);

/** The Node major of a base image: `node:20-…` or distroless `nodejs20-…`. */
function nodeMajor(image: string): number | null {
  const match = /(?:^|\/)node:(\d+)|\/nodejs(\d+)-/.exec(image);
  return match ? Number(match[1] ?? match[2]) : null;
}

/** Every rule an image of `deployable` breaks; empty when it keeps them all. */
function violations(text: string, deployable: Deployable, nodeMajorOfProject: number): string[] {
  const out: string[] = [];
  const stages = stagesOf(text);
  const stageNames = new Set(stages.map((s) => s.name).filter((n): n is string => n !== null));
  const final = stages.at(-1);
  if (stages.length < 2 || !final) return ['must be a multi-stage build'];

  for (const stage of stages) {
    if (stageNames.has(stage.image)) continue;
    const [ref = '', digest = ''] = stage.image.split('@');
    const tag = ref.split('/').at(-1)?.split(':')[1];
    if (!tag || tag === 'latest') out.push(`${stage.image}: base image needs an explicit tag, not latest`);
    if (!IMAGE_DIGEST.test(digest)) out.push(`${stage.image}: base image must be pinned by digest`);
    const major = nodeMajor(ref);
    if (major !== nodeMajorOfProject) out.push(`${stage.image}: every stage must use Node ${nodeMajorOfProject}`);
  }

  const builders = stages.slice(0, -1);
  const install = builders.find((s) => runs(s).some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r)));
  if (!install) out.push('a build stage must install with npm ci');
  if (!builders.some((s) => runs(s).some((r) => /\btsc -b\b/.test(r)))) out.push('a build stage must compile with tsc -b');
  for (const stage of stages) {
    if (runs(stage).some((r) => /\bnpm (install|i)\b/.test(r))) out.push(`${stage.name ?? stage.image}: use npm ci, not npm install`);
  }

  if (runs(final).length) out.push('the last stage must not RUN anything: it has no shell');
  const copies = final.instructions.filter((i) => i.getKeyword() === 'COPY' || i.getKeyword() === 'ADD');
  const modules = copies.filter((c) => /\bnode_modules\b/.test(argsOf(c)));
  if (modules.filter((c) => /^(--from=\S+\s+)?\/app\/node_modules\s/.test(argsOf(c))).length !== 1) out.push('the last stage must copy node_modules exactly once');
  for (const copy of modules) {
    const source = stages.find((s) => s.name === fromFlag(copy));
    const productionOnly = source !== undefined && runs(source).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)) && !runs(source).some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r));
    if (!productionOnly) out.push('node_modules in the last stage must come from a stage that installs production dependencies only');
  }
  for (const copy of copies) {
    const from = fromFlag(copy);
    if (from === null) out.push(`COPY ${argsOf(copy)}: the last stage copies only from build stages`);
    else if (!stageNames.has(from)) out.push(`COPY --from=${from}: no such stage`);
  }

  const users = final.instructions.filter((i) => i.getKeyword() === 'USER').map(argsOf);
  const user = users.at(-1);
  if (!user) out.push('the last stage must set a USER');
  else if (!/^[1-9]\d*(:[1-9]\d*)?$/.test(user)) out.push(`USER ${user}: must be a numeric non-root user, so the kubelet can check runAsNonRoot`);

  const dir = path.dirname(deployable.dockerfile);
  const commands = final.instructions.filter((i) => i.getKeyword() === 'CMD' || i.getKeyword() === 'ENTRYPOINT');
  const command = commands.at(-1);
  if (!command || !argsOf(command).trim().startsWith('[')) out.push('the command must be in exec form: there is no shell to run it');
  else {
    const [entry] = JSON.parse(argsOf(command)) as string[];
    if (entry !== `${dir}/dist/main.js`) out.push(`the command must start ${dir}/dist/main.js, not ${String(entry)}`);
  }
  const exposed = final.instructions.filter((i) => i.getKeyword() === 'EXPOSE').map(argsOf);
  if (exposed.join(' ') !== String(deployable.port)) out.push(`must EXPOSE exactly ${deployable.port}`);

  // npm ci needs the manifest of the deployable's workspace and of every workspace it depends on.
  const manifests = new Set(install?.instructions.filter((i) => i.getKeyword() === 'COPY').flatMap((i) => i.getArguments().map((a) => a.getValue())) ?? []);
  for (const ws of workspaceClosure(dir)) {
    if (!manifests.has(`${ws}/package.json`)) out.push(`the build stage must copy ${ws}/package.json before npm ci`);
    if (!copies.some((c) => argsOf(c).includes(`/app/${ws}/dist `))) out.push(`the last stage must copy ${ws}/dist`);
  }
  if (deployable.database !== null && !copies.some((c) => argsOf(c).includes(`/app/${dir}/migrations `))) {
    out.push(`the last stage must carry ${dir}/migrations: the migration Job runs from this image`);
  }
  return out;
}

const projectNodeMajor = Number(/\d+/.exec((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node)?.[0]);

function dockerfilesInRepo(dir = ROOT): string[] {
  const skip = new Set(['node_modules', '.git', 'dist', '.local', 'cdktf.out']);
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return dockerfilesInRepo(full);
    return entry.name === 'Dockerfile' ? [path.relative(ROOT, full)] : [];
  });
}

const built = DEPLOYABLES.filter((d) => fs.existsSync(path.join(ROOT, d.dockerfile)));

describe('Dockerfiles', () => {
  it('every Dockerfile in the repository builds a deployable, and at least one deployable has one', () => {
    expect(dockerfilesInRepo().sort()).toEqual(built.map((d) => d.dockerfile).sort());
    expect(built.length).toBeGreaterThan(0);
  });

  it('every deployable with an entry point has its Dockerfile, as the renderer writes it', () => {
    const withCode = deployablesWithCode(ROOT, DEPLOYABLES);
    expect(built.map((d) => d.name).sort()).toEqual(withCode.map((d) => d.name).sort());
    for (const d of withCode) expect({ file: d.dockerfile, content: read(d.dockerfile) }).toEqual({ file: d.dockerfile, content: renderDockerfile(ROOT, d) });
  });

  it.each(built.map((d) => [d.name, d] as const))('%s keeps every image rule', (_name, deployable) => {
    expect(violations(read(deployable.dockerfile), deployable, projectNodeMajor)).toEqual([]);
  });

  it.each(built.filter((d) => d.database !== null).map((d) => [d.name, d] as const))('%s has the migrate entry point its migration Job runs', (_name, deployable) => {
    expect(fs.existsSync(path.join(ROOT, path.dirname(deployable.dockerfile), 'src/migrate.ts'))).toBe(true);
  });

  it('the build context leaves out installed modules, build output, git and local state', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', '.local']));
  });
});

describe('the image rules catch', () => {
  // Inventory's image is the one every rule below is broken in.
  const deployable = built.find((d) => d.name === 'inventory');
  if (!deployable) throw new Error('inventory has no Dockerfile');
  const good = read(deployable.dockerfile);
  const broken = (from: RegExp, to: string): string[] => {
    const text = good.replace(from, to);
    expect(text).not.toBe(good);
    return [...new Set(violations(text, deployable, projectNodeMajor))];
  };

  it('a base image pinned by tag only', () => {
    expect(broken(/@sha256:[0-9a-f]{64}/, '')).toEqual([expect.stringMatching(/must be pinned by digest/)]);
  });
  it('a latest tag', () => {
    expect(broken(/node:20-bookworm-slim@/, 'node:latest@')).toEqual(expect.arrayContaining([expect.stringMatching(/not latest/)]));
  });
  it('a different Node major in one stage', () => {
    expect(broken(/nodejs20-debian12/, 'nodejs22-debian12')).toEqual([expect.stringMatching(/every stage must use Node 20/)]);
  });
  it('a root or named user', () => {
    expect(broken(/^USER .*$/m, 'USER root')).toEqual([expect.stringMatching(/numeric non-root user/)]);
    expect(broken(/^USER .*$/m, 'USER 0')).toEqual([expect.stringMatching(/numeric non-root user/)]);
  });
  it('a shell command in the last stage', () => {
    expect(broken(/^CMD .*$/m, 'RUN ls\nCMD ["services/inventory/dist/main.js"]')).toEqual([expect.stringMatching(/must not RUN anything/)]);
    expect(broken(/^CMD .*$/m, 'CMD node services/inventory/dist/main.js')).toEqual([expect.stringMatching(/exec form/)]);
  });
  it('development dependencies in the image', () => {
    expect(broken(/ --omit=dev/, '')).toEqual([expect.stringMatching(/production dependencies only/)]);
    expect(broken(/--from=runtime-deps \/app\/node_modules/, '--from=build /app/node_modules')).toEqual([expect.stringMatching(/production dependencies only/)]);
  });
  it('npm install instead of npm ci, and a missing workspace manifest', () => {
    expect(broken(/npm ci --ignore-scripts --workspace/, 'npm install --ignore-scripts --workspace')).toEqual(
      expect.arrayContaining([expect.stringMatching(/a build stage must install with npm ci/), expect.stringMatching(/use npm ci, not npm install/)]),
    );
    expect(broken(/^COPY services\/kit\/package.json services\/kit\/\n/m, '')).toEqual([expect.stringMatching(/must copy services\/kit\/package.json before npm ci/)]);
  });
  it('a single-stage build', () => {
    expect(violations('FROM node:20-bookworm-slim@sha256:' + '0'.repeat(64) + '\nCMD ["x"]\n', deployable, projectNodeMajor)).toEqual(['must be a multi-stage build']);
  });
});
