import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'cdktf';
import { buildApp, STACK_ORDER } from '../src/app';
import { ENVIRONMENTS } from '../src/environments';
import { loadEnvironment } from '../src/config';

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string }>;
}

interface StackJson {
  terraform?: { backend?: { gcs?: { bucket: string; prefix: string }; local?: { path: string } } };
  resource?: Record<string, unknown>;
}

describe('synth', () => {
  let outdir: string;
  let manifest: Manifest;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-out-'));
    const app = new App({ outdir });
    buildApp(app);
    app.synth();
    manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  const stackJson = (id: string): StackJson => JSON.parse(fs.readFileSync(path.join(outdir, manifest.stacks[id]!.synthesizedStackPath), 'utf8')) as StackJson;

  it('writes Terraform JSON for every stack of both environments', () => {
    const expected = Object.keys(ENVIRONMENTS).flatMap((env) => STACK_ORDER.map((stack) => `${env}-${stack}`));
    expect(Object.keys(manifest.stacks).sort()).toEqual(expected.sort());
    for (const id of expected) expect(Object.keys(stackJson(id).resource ?? {}).length).toBeGreaterThan(0);
  });

  it('keeps every stack but bootstrap in the state bucket under its own prefix', () => {
    for (const [name, input] of Object.entries(ENVIRONMENTS)) {
      const env = loadEnvironment(input);
      expect(stackJson(`${name}-bootstrap`).terraform?.backend).toEqual({ local: { path: 'terraform.tfstate' } });
      for (const stack of STACK_ORDER.filter((s) => s !== 'bootstrap')) {
        expect(stackJson(`${name}-${stack}`).terraform?.backend?.gcs).toEqual({ bucket: env.stateBucket, prefix: `${name}/${stack}` });
      }
    }
  });

  it('stops before writing anything when an environment is invalid', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bad-'));
    try {
      expect(() => buildApp(new App({ outdir: dir }), { ...ENVIRONMENTS, prod: { ...ENVIRONMENTS.prod, deletionProtection: false } })).toThrow(
        /Invalid infrastructure config for prod:\n {2}deletionProtection: prod must keep deletion protection on/,
      );
      expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'stacks')) ? fs.readdirSync(path.join(dir, 'stacks')) : []).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
