import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { loadEnvironment, type Environment } from '../src/config';
import { ENVIRONMENTS } from '../src/environments';
import { localBackend, type PlatformStack, type StackProps } from '../src/stack';

export type Attributes = Record<string, unknown>;

/** Terraform JSON of one synthesized stack. */
export interface Synthesized {
  resource?: Record<string, Record<string, Attributes>>;
  data?: Record<string, Record<string, Attributes>>;
  output?: Record<string, Attributes>;
  terraform?: Attributes;
  provider?: Record<string, Attributes[]>;
}

export type StackClass = new (scope: Construct, props: StackProps) => PlatformStack;

export const environment = (name: 'dev' | 'prod'): Environment => loadEnvironment(ENVIRONMENTS[name]);

/** Synthesizes one stack of an environment on its own, with no state backend. */
export function synthesize(Stack: StackClass, env: 'dev' | 'prod' | Environment): Synthesized {
  const stack = new Stack(Testing.app(), { env: typeof env === 'string' ? environment(env) : env, backend: localBackend });
  return JSON.parse(Testing.synth(stack)) as Synthesized;
}

/** Every resource of a type, by its construct id. */
export function resourcesOf(synth: Synthesized, type: string): Array<[string, Attributes]> {
  return Object.entries(synth.resource?.[type] ?? {});
}

/** The only resource of a type; fails when there is not exactly one. */
export function onlyResource(synth: Synthesized, type: string): Attributes {
  const all = resourcesOf(synth, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]![1];
}

/** Every resource type present in a stack. */
export const resourceTypes = (synth: Synthesized): string[] => Object.keys(synth.resource ?? {}).sort();
