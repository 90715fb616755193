import { GcsBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import type { Environment } from './config';
import { namesFor, type Names } from './names';

/** Attaches a stack's state backend; tests pass one that needs no bucket. */
export type BackendFactory = (stack: TerraformStack, env: Environment, stackName: string) => void;

/** State in the bootstrap stack's bucket, one prefix per environment and stack. */
export const gcsBackend: BackendFactory = (stack, env, stackName) => {
  new GcsBackend(stack, { bucket: env.stateBucket, prefix: `${env.env}/${stackName}` });
};

/** State in a file beside the stack's Terraform JSON (the bootstrap stack, which creates the bucket). */
export const localBackend: BackendFactory = (stack) => {
  new LocalBackend(stack, { path: 'terraform.tfstate' });
};

export interface StackProps {
  env: Environment;
  backend: BackendFactory;
}

/** A stack of one environment: the Google provider with the platform's labels, and its backend. */
export abstract class PlatformStack extends TerraformStack {
  readonly env: Environment;
  readonly names: Names;

  constructor(scope: Construct, stackName: string, props: StackProps) {
    super(scope, `${props.env.env}-${stackName}`);
    this.env = props.env;
    this.names = namesFor(props.env);
    new GoogleProvider(this, 'google', {
      project: props.env.project,
      region: props.env.region,
      defaultLabels: { platform: 'shop', env: props.env.env, stack: stackName },
    });
    props.backend(this, props.env, stackName);
  }
}
