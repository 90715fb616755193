import type { Construct } from 'constructs';
import { loadEnvironment, type Environment } from './config';
import { ENVIRONMENTS } from './environments';
import type { StackName } from './order';
import { gcsBackend, localBackend, type BackendFactory, type PlatformStack } from './stack';
import { BootstrapStack } from './stacks/bootstrap';
import { ClustersStack } from './stacks/clusters';
import { DataStack } from './stacks/data';
import { EdgeStack } from './stacks/edge';
import { IdentityStack } from './stacks/identity';
import { NetworkStack } from './stacks/network';
import { ObservabilityStack } from './stacks/observability';
import { StreamingStack } from './stacks/streaming';

export { STACK_ORDER } from './order';

export type EnvironmentStacks = Record<StackName, PlatformStack>;

/** Every stack of one environment. The bootstrap stack keeps local state: it creates the state bucket. */
export function buildEnvironment(scope: Construct, env: Environment, backend: BackendFactory = gcsBackend): EnvironmentStacks {
  const props = { env, backend };
  return {
    bootstrap: new BootstrapStack(scope, { env, backend: localBackend }),
    network: new NetworkStack(scope, props),
    clusters: new ClustersStack(scope, props),
    data: new DataStack(scope, props),
    identity: new IdentityStack(scope, props),
    edge: new EdgeStack(scope, props),
    streaming: new StreamingStack(scope, props),
    observability: new ObservabilityStack(scope, props),
  };
}

/** Validates every environment first, so a bad setting stops synth before anything is written. */
export function buildApp(scope: Construct, inputs: Record<string, unknown> = ENVIRONMENTS, backend: BackendFactory = gcsBackend): Record<string, EnvironmentStacks> {
  const envs = Object.values(inputs).map(loadEnvironment);
  return Object.fromEntries(envs.map((env) => [env.env, buildEnvironment(scope, env, backend)]));
}
