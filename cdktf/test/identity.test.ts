import { ANALYTICS_JOB, KUBERNETES_NAMESPACE, SECRETS, SERVICE_LIST, SUBSCRIPTIONS } from '@shop/contracts';
import type { Environment } from '../src/config';
import { namesFor } from '../src/names';
import { IdentityStack, RELEASE_WORKLOAD } from '../src/stacks/identity';
import { CLUSTER_ROLES } from '../src/stacks/network';
import { environment, onlyResource, resourceTypes, resourcesOf, synthesize, type Attributes, type Synthesized } from './support';

const ENVS = ['dev', 'prod'] as const;
const RUNTIME_WORKLOADS = [...SERVICE_LIST.map((s) => s.name), ANALYTICS_JOB.name];
const WORKLOADS = [...RUNTIME_WORKLOADS, RELEASE_WORKLOAD];
const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];
/** Roles with no scope narrower than the project. */
const PROJECT_ONLY_ROLES = [
  'roles/cloudsql.client',
  'roles/cloudsql.instanceUser',
  'roles/dataflow.worker',
  'roles/bigquery.jobUser',
  'roles/monitoring.metricWriter',
  'roles/cloudtrace.agent',
  'roles/logging.logWriter',
];

const str = (value: unknown): string => {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
};

/** The construct id a `${type.id.attribute}` reference points at. */
function referencedId(reference: unknown, type: string): string {
  const match = new RegExp(`^\\$\\{${type}\\.([^.]+)\\.[a-z_]+\\}$`).exec(str(reference));
  if (!match?.[1]) throw new Error(`${String(reference)} does not reference a ${type}`);
  return match[1];
}

function setup(env: Environment) {
  const synth = synthesize(IdentityStack, env);
  const names = namesFor(env);
  const workloadOfMember = new Map(WORKLOADS.map((w) => [`serviceAccount:${names.workloadAccountEmail(w)}`, w]));
  const workloadOf = (member: unknown): string => {
    const workload = workloadOfMember.get(str(member));
    if (!workload) throw new Error(`${String(member)} is not a workload's service account`);
    return workload;
  };
  const accountOfReference = (reference: unknown): string => {
    const sa = synth.resource?.google_service_account?.[referencedId(reference, 'google_service_account')];
    const id = str(sa?.account_id);
    const workload = WORKLOADS.find((w) => names.workloadAccountId(w) === id);
    if (!workload) throw new Error(`${id} is not a workload account`);
    return workload;
  };
  return { synth, names, workloadOf, accountOfReference };
}

const iamMembers = (synth: Synthesized): Array<[string, Attributes]> =>
  resourceTypes(synth)
    .filter((type) => type.endsWith('_iam_member'))
    .flatMap((type) => resourcesOf(synth, type).map(([, attrs]): [string, Attributes] => [type, attrs]));

describe.each(ENVS)('identity stack (%s)', (envName) => {
  const env = environment(envName);
  const { synth, names, workloadOf, accountOfReference } = setup(env);

  it('creates one service account per workload and none for anything else', () => {
    const accountIds = resourcesOf(synth, 'google_service_account').map(([, sa]) => sa.account_id);
    expect([...accountIds].sort()).toEqual(WORKLOADS.map((w) => names.workloadAccountId(w)).sort());
  });

  it('binds each service and the analytics job to exactly its own Kubernetes service account', () => {
    const bindings = resourcesOf(synth, 'google_service_account_iam_member').filter(([, b]) => b.role === 'roles/iam.workloadIdentityUser');
    const kubernetes = bindings.filter(([, b]) => str(b.member).startsWith('serviceAccount:'));
    expect(kubernetes.map(([, b]) => accountOfReference(b.service_account_id)).sort()).toEqual([...RUNTIME_WORKLOADS].sort());
    for (const [, binding] of kubernetes) {
      const workload = accountOfReference(binding.service_account_id);
      expect(binding.member).toBe(`serviceAccount:${env.project}.svc.id.goog[${KUBERNETES_NAMESPACE}/${workload}]`);
    }
    // The release and Terraform accounts are reachable only through GitHub federation, never from a pod.
    const others = bindings.filter(([, b]) => !str(b.member).startsWith('serviceAccount:')).map(([, b]) => str(b.service_account_id));
    expect(others.filter((id) => id.startsWith('${')).map(accountOfReference)).toEqual([RELEASE_WORKLOAD]);
    expect(others.filter((id) => !id.startsWith('${')).sort()).toEqual(
      (['apply', 'plan'] as const).map((role) => `projects/${env.project}/serviceAccounts/${names.terraformAccountEmail(role)}`),
    );
  });

  it('grants only additive members: no bindings, policies, basic roles or public principals', () => {
    expect(resourceTypes(synth).filter((t) => /_iam_(binding|policy)$/.test(t))).toEqual([]);
    const grants = iamMembers(synth);
    expect(grants.length).toBeGreaterThan(0);
    for (const [, grant] of grants) {
      expect(BASIC_ROLES).not.toContain(grant.role);
      expect(PUBLIC_MEMBERS).not.toContain(grant.member);
    }
  });

  it('grants at project level only the roles that have no narrower scope', () => {
    const grants = resourcesOf(synth, 'google_project_iam_member');
    for (const [, grant] of grants) {
      expect(PROJECT_ONLY_ROLES).toContain(grant.role);
      expect(grant.project).toBe(env.project);
    }
    expect(grants.filter(([, g]) => workloadOf(g.member) === RELEASE_WORKLOAD)).toEqual([]);
  });

  it('gives every runtime workload the telemetry roles', () => {
    const grants = resourcesOf(synth, 'google_project_iam_member').map(([, g]) => `${workloadOf(g.member)} ${str(g.role)}`);
    for (const workload of RUNTIME_WORKLOADS) {
      for (const role of ['roles/monitoring.metricWriter', 'roles/cloudtrace.agent', 'roles/logging.logWriter']) expect(grants).toContain(`${workload} ${role}`);
    }
  });

  it('lets each service publish to exactly the topics it publishes to, on the topic', () => {
    const grants = resourcesOf(synth, 'google_pubsub_topic_iam_member').map(([, g]) => {
      expect(g.role).toBe('roles/pubsub.publisher');
      return `${workloadOf(g.member)} ${str(g.topic)}`;
    });
    const expected = SERVICE_LIST.flatMap((s) => s.publishes.map((topic) => `${s.name} projects/${env.project}/topics/${topic}`));
    expect(grants.sort()).toEqual(expected.sort());
  });

  it("lets each consumer pull exactly its subscriptions, and leaves BigQuery subscriptions to Pub/Sub", () => {
    const grants = resourcesOf(synth, 'google_pubsub_subscription_iam_member').map(([, g]) => {
      expect(g.role).toBe('roles/pubsub.subscriber');
      return `${workloadOf(g.member)} ${str(g.subscription)}`;
    });
    const expected = SUBSCRIPTIONS.filter((s) => s.consumer !== 'bigquery').map((s) => `${s.consumer} projects/${env.project}/subscriptions/${s.name}`);
    expect(grants.sort()).toEqual(expected.sort());
    const analytics = grants.filter((g) => g.startsWith(`${ANALYTICS_JOB.name} `));
    expect(analytics).toHaveLength(ANALYTICS_JOB.shards * 4);
  });

  it('gives Cloud SQL access to the services with a database and nobody else', () => {
    const roles = resourcesOf(synth, 'google_project_iam_member').filter(([, g]) => str(g.role).startsWith('roles/cloudsql.'));
    const withDatabase = SERVICE_LIST.filter((s) => s.database !== null).map((s) => s.name);
    expect(roles.map(([, g]) => `${workloadOf(g.member)} ${str(g.role)}`).sort()).toEqual(
      withDatabase.flatMap((name) => [`${name} roles/cloudsql.client`, `${name} roles/cloudsql.instanceUser`]).sort(),
    );
    // Each of them logs in as its own IAM user on the primary, created after its account; no passwords.
    const users = resourcesOf(synth, 'google_sql_user').map(([, u]) => u);
    expect(users.map((u) => u.name).sort()).toEqual(withDatabase.map((name) => `${names.workloadAccountId(name)}@${env.project}.iam`).sort());
    for (const user of users) {
      expect(user).toMatchObject({ instance: names.sqlInstance, type: 'CLOUD_IAM_SERVICE_ACCOUNT' });
      expect(user.password).toBeUndefined();
      const [dependency] = (user.depends_on as string[] | undefined) ?? [];
      expect(accountOfReference(`\${${String(dependency)}.email}`)).toBe(withDatabase.find((name) => user.name === `${names.workloadAccountId(name)}@${env.project}.iam`));
    }
  });

  it('creates every contract secret in the region and lets exactly its accessors read it', () => {
    const secrets = resourcesOf(synth, 'google_secret_manager_secret');
    expect(secrets.map(([, s]) => s.secret_id).sort()).toEqual(SECRETS.map((s) => s.name).sort());
    const accessors = resourcesOf(synth, 'google_secret_manager_secret_iam_member');
    for (const spec of SECRETS) {
      const [id, secret] = secrets.find(([, s]) => s.secret_id === spec.name) ?? [];
      expect(secret?.replication).toEqual({ user_managed: { replicas: [{ location: env.region }] } });
      const readers = accessors.filter(([, a]) => referencedId(a.secret_id, 'google_secret_manager_secret') === id);
      for (const [, reader] of readers) expect(reader.role).toBe('roles/secretmanager.secretAccessor');
      expect(readers.map(([, r]) => workloadOf(r.member)).sort()).toEqual([...spec.accessors].sort());
    }
    expect(accessors).toHaveLength(SECRETS.reduce((n, s) => n + s.accessors.length, 0));
  });

  it('fills the Memorystore URL and CA secrets from the instance, and no other secret', () => {
    const redis = synth.data?.google_redis_instance?.redis;
    expect(redis).toMatchObject({ name: names.redis, region: env.region });
    const versions = resourcesOf(synth, 'google_secret_manager_secret_version').map(([, v]) => {
      const secret = synth.resource?.google_secret_manager_secret?.[referencedId(v.secret, 'google_secret_manager_secret')];
      return [str(secret?.secret_id), v.secret_data];
    });
    expect(Object.fromEntries(versions)).toEqual({
      'redis-url': 'rediss://default:${data.google_redis_instance.redis.auth_string}@${data.google_redis_instance.redis.host}:${data.google_redis_instance.redis.port}',
      'redis-ca': '${data.google_redis_instance.redis.server_ca_certs[0].cert}',
    });
  });

  it('lets catalog and inventory read the imports bucket, analytics use its dataset and bucket, and the storefront read the dataset', () => {
    const buckets = resourcesOf(synth, 'google_storage_bucket_iam_member').map(([, g]) => `${workloadOf(g.member)} ${str(g.role)} ${str(g.bucket)}`);
    expect(buckets.sort()).toEqual(
      [
        `catalog roles/storage.objectViewer ${names.bucket.imports}`,
        `inventory roles/storage.objectViewer ${names.bucket.imports}`,
        `${ANALYTICS_JOB.name} roles/storage.objectAdmin ${names.bucket.dataflow}`,
        `${RELEASE_WORKLOAD} roles/storage.objectAdmin ${names.bucket.dataflow}`,
      ].sort(),
    );
    const [, release] = resourcesOf(synth, 'google_storage_bucket_iam_member').find(([, g]) => workloadOf(g.member) === RELEASE_WORKLOAD) ?? [];
    expect(release?.condition).toMatchObject({ expression: `resource.name.startsWith("projects/_/buckets/${names.bucket.dataflow}/objects/templates/")` });
    const datasetGrants = resourcesOf(synth, 'google_bigquery_dataset_iam_member').map(([, g]) => `${workloadOf(g.member)} ${str(g.role)} ${str(g.dataset_id)}`);
    expect(datasetGrants.sort()).toEqual([`${ANALYTICS_JOB.name} roles/bigquery.dataEditor ${names.dataset}`, `storefront roles/bigquery.dataViewer ${names.dataset}`].sort());
  });

  it('keeps images immutable and cleans up untagged ones, and lets only release push, on the repository', () => {
    const registry = onlyResource(synth, 'google_artifact_registry_repository');
    expect(registry).toMatchObject({ repository_id: names.registry, format: 'DOCKER', location: env.region, cleanup_policy_dry_run: false, docker_config: { immutable_tags: true } });
    expect(registry.cleanup_policies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'KEEP', most_recent_versions: { keep_count: expect.any(Number) } }),
        expect.objectContaining({ action: 'DELETE', condition: { tag_state: 'UNTAGGED', older_than: `${14 * 86400}s` } }),
      ]),
    );
    const grants = resourcesOf(synth, 'google_artifact_registry_repository_iam_member').map(([, g]) => g);
    for (const grant of grants) expect(grant.repository).toBe('${google_artifact_registry_repository.registry.name}');
    const writers = grants.filter((g) => g.role === 'roles/artifactregistry.writer');
    expect(writers.map((w) => workloadOf(w.member))).toEqual([RELEASE_WORKLOAD]);
    // Each cluster's node account pulls images and does nothing else with the registry.
    const readers = grants.filter((g) => g.role === 'roles/artifactregistry.reader').map((g) => g.member);
    expect(readers.sort()).toEqual(CLUSTER_ROLES.map((role) => `serviceAccount:${names.nodeServiceAccountEmail(role)}`).sort());
    expect(grants).toHaveLength(writers.length + readers.length);
  });

  it('federates GitHub Actions runs on main of the configured repository only, with no service account keys', () => {
    const repo = `${env.github.owner}/${env.github.repository}`;
    const provider = onlyResource(synth, 'google_iam_workload_identity_pool_provider');
    expect(provider).toMatchObject({
      workload_identity_pool_provider_id: names.githubProvider,
      attribute_condition: `assertion.repository == "${repo}" && assertion.ref == "refs/heads/main"`,
      oidc: { issuer_uri: 'https://token.actions.githubusercontent.com' },
      attribute_mapping: {
        'google.subject': 'assertion.sub',
        'attribute.repository': 'assertion.repository',
        'attribute.ref': 'assertion.ref',
        'attribute.repository_owner': 'assertion.repository_owner',
      },
    });
    expect(onlyResource(synth, 'google_iam_workload_identity_pool').workload_identity_pool_id).toBe(names.githubPool);
    const federation = resourcesOf(synth, 'google_service_account_iam_member').filter(([, b]) => str(b.member).startsWith('principalSet://'));
    // Release, Terraform plan and Terraform apply: all for runs of this repository (on main, by the provider's condition).
    expect(federation.map(([, b]) => b.member)).toEqual(
      Array(3).fill(`principalSet://iam.googleapis.com/projects/\${data.google_project.project.number}/locations/global/workloadIdentityPools/${names.githubPool}/attribute.repository/${repo}`),
    );
    expect(resourceTypes(synth)).not.toContain('google_service_account_key');
  });

  it('outputs every workload account, the federation provider and the registry URL', () => {
    const emails = synth.output?.service_account_emails?.value as Record<string, string>;
    expect(Object.keys(emails).sort()).toEqual([...WORKLOADS].sort());
    expect(emails[RELEASE_WORKLOAD]).toBe('${google_service_account.sa-release.email}');
    expect(synth.output?.workload_identity_provider?.value).toBe('${google_iam_workload_identity_pool_provider.github-provider.name}');
    expect(synth.output?.registry_url?.value).toBe(`${names.registryHost}/${env.project}/${names.registry}`);
  });

  it('matches the snapshot', () => {
    expect(synth).toMatchSnapshot();
  });
});

it('pins the federation to whichever repository the config names', () => {
  const env: Environment = { ...environment('prod'), github: { owner: 'acme', repository: 'storefront' } };
  const synth = synthesize(IdentityStack, env);
  expect(onlyResource(synth, 'google_iam_workload_identity_pool_provider').attribute_condition).toBe('assertion.repository == "acme/storefront" && assertion.ref == "refs/heads/main"');
});
