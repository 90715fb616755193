import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ANALYTICS_JOB, SECRETS, SERVICE_LIST, SERVICES, SUBSCRIPTIONS } from '@shop/contracts';
import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository';
import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { BigqueryDatasetIamMember } from '@cdktf/provider-google/lib/bigquery-dataset-iam-member';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { DataGoogleRedisInstance } from '@cdktf/provider-google/lib/data-google-redis-instance';
import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { SqlUser } from '@cdktf/provider-google/lib/sql-user';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import type { TerraformRole } from '../names';
import { PlatformStack, type StackProps } from '../stack';
import { CLUSTER_ROLES } from './network';

const TERRAFORM_ROLES: readonly TerraformRole[] = ['plan', 'apply'];

/** The only Git ref whose workflow runs may exchange GitHub tokens for Google credentials. */
export const RELEASE_REF = 'refs/heads/main';

/** Workload of the GitHub Actions release workflow; it has no Kubernetes service account. */
export const RELEASE_WORKLOAD = 'release';

/** Roles every runtime workload needs to report telemetry; none of them has a narrower scope. */
const TELEMETRY_ROLES = ['roles/monitoring.metricWriter', 'roles/cloudtrace.agent', 'roles/logging.logWriter'] as const;

/** Workloads that read catalog and stock CSV imports. */
const IMPORT_READERS = ['catalog', 'inventory'] as const;

/** Image versions kept per package whatever their age, so a rollback always has its image. */
const KEEP_RECENT_VERSIONS = 20;

const UNTAGGED_MAX_AGE = `${14 * 24 * 3600}s`;

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** Terraform-safe construct id from parts such as subscription names with dots. */
const idOf = (...parts: string[]): string => parts.join('-').replace(/[^A-Za-z0-9_-]/g, '-');

/**
 * Who may do what: one Google service account per workload (bound to its Kubernetes service
 * account through Workload Identity), the grants the contracts imply, secrets, the image
 * registry, and keyless GitHub Actions access through Workload Identity Federation.
 */
export class IdentityStack extends PlatformStack {
  private readonly accounts = new Map<string, ServiceAccount>();

  constructor(scope: Construct, props: StackProps) {
    super(scope, 'identity', props);
    const { project, region } = this.env;
    const names = this.names;
    const account = (workload: string) => this.account(workload);
    const member = (workload: string) => this.member(workload);
    const projectRole = (workload: string, role: string) => this.projectRole(workload, role);

    const runtimeWorkloads = [...SERVICE_LIST.map((s) => s.name), ANALYTICS_JOB.name];
    for (const workload of [...runtimeWorkloads, RELEASE_WORKLOAD]) {
      const sa = new ServiceAccount(this, idOf('sa', workload), {
        accountId: names.workloadAccountId(workload),
        displayName: `${workload} (${this.env.env})`,
        description: workload === RELEASE_WORKLOAD ? 'GitHub Actions release workflow, through Workload Identity Federation' : `Workload ${workload}`,
      });
      this.accounts.set(workload, sa);
    }

    for (const workload of runtimeWorkloads) {
      new ServiceAccountIamMember(this, idOf('workload-identity', workload), {
        serviceAccountId: account(workload).name,
        role: 'roles/iam.workloadIdentityUser',
        member: names.workloadIdentityMember(workload),
      });
      for (const role of TELEMETRY_ROLES) projectRole(workload, role);
    }

    for (const service of SERVICE_LIST) {
      for (const topic of service.publishes) {
        new PubsubTopicIamMember(this, idOf('publisher', service.name, topic), {
          topic: `projects/${project}/topics/${topic}`,
          role: 'roles/pubsub.publisher',
          member: member(service.name),
          dependsOn: [account(service.name)],
        });
      }
      if (service.database !== null) {
        // IAM database authentication: the connector needs client, the login needs instanceUser,
        // and the instance needs the account as a user (created here, once the account exists).
        projectRole(service.name, 'roles/cloudsql.client');
        projectRole(service.name, 'roles/cloudsql.instanceUser');
        new SqlUser(this, idOf('db-user', service.name), {
          instance: names.sqlInstance,
          name: names.databaseUser(service.name),
          type: 'CLOUD_IAM_SERVICE_ACCOUNT',
          // Postgres refuses to drop a role that owns tables.
          deletionPolicy: 'ABANDON',
          dependsOn: [account(service.name)],
        });
      }
    }

    // BigQuery subscriptions are written by Pub/Sub itself, so only workload consumers get a grant.
    for (const subscription of SUBSCRIPTIONS.filter((s) => this.accounts.has(s.consumer))) {
      new PubsubSubscriptionIamMember(this, idOf('subscriber', subscription.name), {
        subscription: `projects/${project}/subscriptions/${subscription.name}`,
        role: 'roles/pubsub.subscriber',
        member: member(subscription.consumer),
        dependsOn: [account(subscription.consumer)],
      });
    }

    for (const workload of IMPORT_READERS) {
      new StorageBucketIamMember(this, idOf('imports-reader', workload), {
        bucket: names.bucket.imports,
        role: 'roles/storage.objectViewer',
        member: member(workload),
        dependsOn: [account(workload)],
      });
    }

    new BigqueryDatasetIamMember(this, 'analytics-dataset-editor', {
      datasetId: names.dataset,
      role: 'roles/bigquery.dataEditor',
      member: member(ANALYTICS_JOB.name),
      dependsOn: [account(ANALYTICS_JOB.name)],
    });
    new StorageBucketIamMember(this, 'analytics-dataflow-bucket', {
      bucket: names.bucket.dataflow,
      role: 'roles/storage.objectAdmin',
      member: member(ANALYTICS_JOB.name),
      dependsOn: [account(ANALYTICS_JOB.name)],
    });
    projectRole(ANALYTICS_JOB.name, 'roles/bigquery.jobUser');
    // "Shoppers also viewed": the storefront queries the co-view aggregates.
    new BigqueryDatasetIamMember(this, 'analytics-dataset-storefront-viewer', {
      datasetId: names.dataset,
      role: 'roles/bigquery.dataViewer',
      member: member(SERVICES.storefront.name),
      dependsOn: [account(SERVICES.storefront.name)],
    });
    projectRole(SERVICES.storefront.name, 'roles/bigquery.jobUser');
    projectRole(ANALYTICS_JOB.name, 'roles/dataflow.worker');

    this.secrets();

    const registry = new ArtifactRegistryRepository(this, 'registry', {
      repositoryId: names.registry,
      location: region,
      format: 'DOCKER',
      description: 'Service images, tagged by commit',
      dockerConfig: { immutableTags: true },
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        { id: 'keep-recent', action: 'KEEP', mostRecentVersions: { keepCount: KEEP_RECENT_VERSIONS } },
        { id: 'delete-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: UNTAGGED_MAX_AGE } },
      ],
    });
    new ArtifactRegistryRepositoryIamMember(this, 'release-registry-writer', {
      location: region,
      repository: registry.name,
      role: 'roles/artifactregistry.writer',
      member: member(RELEASE_WORKLOAD),
      dependsOn: [account(RELEASE_WORKLOAD)],
    });

    // The release workflow publishes the Dataflow template; the condition keeps it out of the job's temp and staging files.
    new StorageBucketIamMember(this, 'release-dataflow-templates', {
      bucket: names.bucket.dataflow,
      role: 'roles/storage.objectAdmin',
      member: member(RELEASE_WORKLOAD),
      condition: {
        title: 'templates-only',
        description: 'Objects under templates/ only',
        expression: `resource.name.startsWith("projects/_/buckets/${names.bucket.dataflow}/objects/templates/")`,
      },
      dependsOn: [account(RELEASE_WORKLOAD)],
    });

    // Nodes pull images; the registry lives here, so the grant does too (the clusters stack is applied first).
    for (const role of CLUSTER_ROLES) {
      new ArtifactRegistryRepositoryIamMember(this, `${role}-nodes-image-reader`, {
        location: region,
        repository: registry.name,
        role: 'roles/artifactregistry.reader',
        member: `serviceAccount:${names.nodeServiceAccountEmail(role)}`,
      });
    }

    const githubProvider = this.githubFederation(account(RELEASE_WORKLOAD));

    new TerraformOutput(this, 'service_account_emails', {
      description: 'Google service account of each workload',
      value: Object.fromEntries([...this.accounts].map(([workload, sa]) => [workload, sa.email])),
    });
    new TerraformOutput(this, 'terraform_service_accounts', {
      description: 'Accounts the infrastructure workflow plans and applies as',
      value: Object.fromEntries(TERRAFORM_ROLES.map((role) => [role, this.names.terraformAccountEmail(role)])),
    });
    new TerraformOutput(this, 'workload_identity_provider', {
      description: 'Workload Identity Federation provider for google-github-actions/auth',
      value: githubProvider.name,
    });
    new TerraformOutput(this, 'registry_url', {
      description: 'Docker registry the release workflow pushes images to',
      value: `${names.registryHost}/${project}/${names.registry}`,
    });
  }

  private account(workload: string): ServiceAccount {
    const found = this.accounts.get(workload);
    if (!found) throw new Error(`no service account for workload ${workload}`);
    return found;
  }

  private member(workload: string): string {
    return `serviceAccount:${this.names.workloadAccountEmail(workload)}`;
  }

  private projectRole(workload: string, role: string): void {
    new ProjectIamMember(this, idOf('project', workload, role.replace('roles/', '')), {
      project: this.env.project,
      role,
      member: this.member(workload),
      dependsOn: [this.account(workload)],
    });
  }

  /** One secret per contract entry, readable only by its accessors; the Memorystore ones are filled in here. */
  private secrets(): void {
    const { region } = this.env;
    for (const spec of SECRETS) {
      const secret = new SecretManagerSecret(this, idOf('secret', spec.name), {
        secretId: spec.name,
        labels: { secret: spec.name },
        annotations: { description: spec.description },
        replication: { userManaged: { replicas: [{ location: region }] } },
        deletionProtection: this.env.deletionProtection,
      });
      for (const workload of spec.accessors) {
        new SecretManagerSecretIamMember(this, idOf('secret-accessor', spec.name, workload), {
          secretId: secret.id,
          role: 'roles/secretmanager.secretAccessor',
          member: this.member(workload),
          dependsOn: [this.account(workload)],
        });
      }
      const value = this.redisSecretValue(spec.name);
      // The AUTH string lands in Terraform state: that is why the state bucket is private and versioned.
      if (value !== undefined) new SecretManagerSecretVersion(this, idOf('secret-version', spec.name), { secret: secret.id, secretData: value });
    }
  }

  private redis: DataGoogleRedisInstance | undefined;

  /** The Memorystore secrets, filled from the instance: its rediss:// URL with AUTH, and its server CA. */
  private redisSecretValue(secret: string): string | undefined {
    if (secret !== 'redis-url' && secret !== 'redis-ca') return undefined;
    const { project, region } = this.env;
    this.redis ??= new DataGoogleRedisInstance(this, 'redis', { name: this.names.redis, region, project });
    return secret === 'redis-url' ? `rediss://default:${this.redis.authString}@${this.redis.host}:${this.redis.port}` : this.redis.serverCaCerts.get(0).cert;
  }

  /** Lets GitHub Actions runs on main of the configured repository, and nothing else, act as the release account. */
  private githubFederation(release: ServiceAccount): IamWorkloadIdentityPoolProvider {
    const { owner, repository } = this.env.github;
    const repo = `${owner}/${repository}`;
    const pool = new IamWorkloadIdentityPool(this, 'github-pool', {
      workloadIdentityPoolId: this.names.githubPool,
      displayName: 'GitHub Actions',
      description: `GitHub Actions of ${repo}`,
    });
    const provider = new IamWorkloadIdentityPoolProvider(this, 'github-provider', {
      workloadIdentityPoolId: pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: this.names.githubProvider,
      displayName: 'GitHub Actions OIDC',
      attributeMapping: {
        'google.subject': 'assertion.sub',
        'attribute.repository': 'assertion.repository',
        'attribute.ref': 'assertion.ref',
        'attribute.repository_owner': 'assertion.repository_owner',
      },
      // Without a condition any GitHub repository could exchange its tokens in this pool. Only runs
      // on main may: pull requests and other branches never get cloud credentials.
      attributeCondition: `assertion.repository == "${repo}" && assertion.ref == "${RELEASE_REF}"`,
      oidc: { issuerUri: GITHUB_ISSUER },
    });
    const projectInfo = new DataGoogleProject(this, 'project', { projectId: this.env.project });
    const repositoryRuns = `principalSet://iam.googleapis.com/projects/${projectInfo.number}/locations/global/workloadIdentityPools/${this.names.githubPool}/attribute.repository/${repo}`;
    new ServiceAccountIamMember(this, 'release-federation', {
      serviceAccountId: release.name,
      role: 'roles/iam.workloadIdentityUser',
      member: repositoryRuns,
      dependsOn: [provider],
    });
    // The infrastructure workflow's accounts come from the bootstrap stack.
    for (const role of TERRAFORM_ROLES) {
      new ServiceAccountIamMember(this, `terraform-${role}-federation`, {
        serviceAccountId: `projects/${this.env.project}/serviceAccounts/${this.names.terraformAccountEmail(role)}`,
        role: 'roles/iam.workloadIdentityUser',
        member: repositoryRuns,
        dependsOn: [provider],
      });
    }
    return provider;
  }
}
