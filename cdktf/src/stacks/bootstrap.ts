import type { Construct } from 'constructs';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { PlatformStack, type StackProps } from '../stack';

/** Google APIs the platform's stacks and workloads call. */
export const REQUIRED_APIS = [
  'artifactregistry.googleapis.com',
  'bigquery.googleapis.com',
  'binaryauthorization.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'cloudtrace.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'dataflow.googleapis.com',
  'dns.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
  'pubsub.googleapis.com',
  'redis.googleapis.com',
  'secretmanager.googleapis.com',
  'servicenetworking.googleapis.com',
  'sqladmin.googleapis.com',
  'storage.googleapis.com',
  'sts.googleapis.com',
] as const;

/** Noncurrent state versions kept for rollback; older ones are deleted. */
const STATE_VERSIONS_KEPT = 20;

/** Project APIs and the bucket holding every other stack's Terraform state. */
export class BootstrapStack extends PlatformStack {
  constructor(scope: Construct, props: StackProps) {
    super(scope, 'bootstrap', props);

    for (const api of REQUIRED_APIS) {
      new ProjectService(this, `api_${api.split('.')[0]}`, {
        project: this.env.project,
        service: api,
        // Turning an API off on destroy would break every resource still using it.
        disableOnDestroy: false,
        disableDependentServices: false,
      });
    }

    new StorageBucket(this, 'state_bucket', {
      name: this.names.bucket.state,
      location: this.env.region,
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      // Losing state orphans every resource, so the bucket is never emptied by Terraform.
      forceDestroy: false,
      versioning: { enabled: true },
      lifecycleRule: [
        {
          action: { type: 'Delete' },
          condition: { withState: 'ARCHIVED', numNewerVersions: STATE_VERSIONS_KEPT },
        },
      ],
      lifecycle: { preventDestroy: this.env.deletionProtection },
    });
  }
}
