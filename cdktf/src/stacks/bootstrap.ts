import type { Construct } from 'constructs';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import type { TerraformRole } from '../names';
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
  'gkehub.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
  'multiclusterservicediscovery.googleapis.com',
  'pubsub.googleapis.com',
  'redis.googleapis.com',
  'secretmanager.googleapis.com',
  'servicenetworking.googleapis.com',
  'sqladmin.googleapis.com',
  'storage.googleapis.com',
  'sts.googleapis.com',
  'trafficdirector.googleapis.com',
] as const;

/**
 * What the infrastructure workflow's planner may read: each product's viewer role, nothing that
 * writes. Terraform plans without the state lock, so the state bucket is read-only to it as well.
 */
export const PLAN_ROLES = [
  'roles/artifactregistry.reader',
  'roles/bigquery.metadataViewer',
  'roles/cloudsql.viewer',
  'roles/compute.viewer',
  'roles/container.clusterViewer',
  'roles/gkehub.viewer',
  'roles/dataflow.viewer',
  'roles/dns.reader',
  'roles/iam.securityReviewer',
  'roles/iam.serviceAccountViewer',
  'roles/iam.workloadIdentityPoolViewer',
  'roles/logging.viewer',
  'roles/monitoring.viewer',
  'roles/pubsub.viewer',
  'roles/redis.viewer',
  'roles/secretmanager.viewer',
  'roles/serviceusage.serviceUsageViewer',
] as const;

/**
 * Reads a plan makes that no viewer role carries: bucket settings (storage has no bucket-only
 * viewer role), the identity stack's Memorystore data source (it returns the AUTH string), and
 * refreshing a secret version (it reads the value).
 */
export const PLAN_EXTRA_PERMISSIONS = ['storage.buckets.get', 'storage.buckets.list', 'redis.instances.getAuthString', 'secretmanager.versions.access'] as const;

/** What applying every stack takes: each product's admin role, and IAM on the resources they create. */
export const APPLY_ROLES = [
  'roles/artifactregistry.admin',
  'roles/bigquery.admin',
  'roles/binaryauthorization.policyEditor',
  'roles/cloudsql.admin',
  'roles/compute.networkAdmin',
  'roles/compute.loadBalancerAdmin',
  'roles/compute.securityAdmin',
  'roles/container.admin',
  'roles/gkehub.admin',
  'roles/dataflow.admin',
  'roles/dns.admin',
  'roles/iam.serviceAccountAdmin',
  'roles/iam.serviceAccountUser',
  'roles/iam.workloadIdentityPoolAdmin',
  'roles/iam.roleAdmin',
  'roles/logging.configWriter',
  'roles/monitoring.admin',
  'roles/pubsub.admin',
  'roles/redis.admin',
  'roles/resourcemanager.projectIamAdmin',
  'roles/secretmanager.admin',
  'roles/servicenetworking.networksAdmin',
  'roles/serviceusage.serviceUsageAdmin',
  'roles/storage.admin',
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

    const stateBucket = new StorageBucket(this, 'state_bucket', {
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

    this.terraformAccounts(stateBucket);
  }

  /**
   * The infrastructure workflow's accounts (the identity stack lets GitHub Actions on main act as
   * them): a planner that only reads, and an applier with each product's admin role.
   */
  private terraformAccounts(stateBucket: StorageBucket): void {
    const { env, names } = this;
    const account = (role: TerraformRole, description: string) =>
      new ServiceAccount(this, `terraform_${role}`, { accountId: names.terraformAccountId(role), displayName: `Terraform ${role} (${env.env})`, description });
    const planner = account('plan', 'Plans every stack on main; reads only');
    const applier = account('apply', 'Applies reviewed plans after environment approval');
    const grant = (who: TerraformRole, sa: ServiceAccount, role: string) =>
      new ProjectIamMember(this, `terraform_${who}_${role.replace(/^roles\//, '').replace(/\./g, '_')}`, { project: env.project, role, member: `serviceAccount:${sa.email}` });
    for (const role of PLAN_ROLES) grant('plan', planner, role);
    const extraReads = new ProjectIamCustomRole(this, 'terraform_plan_reads', {
      project: env.project,
      roleId: 'terraformPlanReader',
      title: 'Terraform plan: reads beyond the viewer roles',
      description: 'Bucket settings, the Memorystore AUTH string and secret versions, which a plan reads',
      permissions: [...PLAN_EXTRA_PERMISSIONS],
    });
    new ProjectIamMember(this, 'terraform_plan_extra_reads', { project: env.project, role: extraReads.name, member: `serviceAccount:${planner.email}` });
    for (const role of APPLY_ROLES) grant('apply', applier, role);

    new StorageBucketIamMember(this, 'terraform_plan_state', { bucket: stateBucket.name, role: 'roles/storage.objectViewer', member: `serviceAccount:${planner.email}` });
    new StorageBucketIamMember(this, 'terraform_apply_state', { bucket: stateBucket.name, role: 'roles/storage.objectAdmin', member: `serviceAccount:${applier.email}` });
  }
}
