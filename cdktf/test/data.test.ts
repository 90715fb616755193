import { SUBSCRIPTIONS, TOPICS, WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST, deadLetterTopic, shardFilter } from '@shop/contracts';
import { ANALYST_VIEWS } from '@shop/dashboards';
import { namesFor } from '../src/names';
import { DATABASE_FLAGS, DataStack, SERVICES_WITH_DATABASE, bigQuerySchema, deadLetterHold } from '../src/stacks/data';
import { environment, onlyResource, resourcesOf, resourceTypes, synthesize, type Attributes, type Synthesized } from './support';

const ENVS = ['dev', 'prod'] as const;
const stacks = { dev: synthesize(DataStack, 'dev'), prod: synthesize(DataStack, 'prod') };

const byName = (s: Synthesized, type: string, name: string, key = 'name'): Attributes => {
  const found = resourcesOf(s, type).filter(([, r]) => r[key] === name);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key} ${name}, found ${found.length}`);
  return found[0]![1];
};
/** The resource a `${type.id.attribute}` reference points at. */
const referenced = (s: Synthesized, ref: unknown): Attributes => {
  const match = /^\$\{([a-z_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(String(ref));
  const target = match && s.resource?.[match[1]!]?.[match[2]!];
  if (!target) throw new Error(`${String(ref)} is not a reference to a resource of the stack`);
  return target;
};
const address = (s: Synthesized, type: string, name: string, key = 'name'): string => {
  const found = resourcesOf(s, type).find(([, r]) => r[key] === name);
  if (!found) throw new Error(`no ${type} with ${key} ${name}`);
  return `${type}.${found[0]}`;
};
const views = (s: Synthesized) => resourcesOf(s, 'google_bigquery_table').map(([, r]) => r).filter((r) => r.view);
const subscriptions = (s: Synthesized) => resourcesOf(s, 'google_pubsub_subscription').map(([, r]) => r);
const PUBSUB_AGENT = 'serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com';

describe.each(ENVS)('data stack (%s)', (envName) => {
  const env = environment(envName);
  const names = namesFor(env);
  const s = stacks[envName];

  describe('Cloud SQL', () => {
    const sql = byName(s, 'google_sql_database_instance', names.sqlInstance);
    const settings = sql.settings as Attributes;

    it('has a private IP only and requires TLS', () => {
      expect(settings.ip_configuration).toEqual({
        ipv4_enabled: false,
        private_network: names.networkId,
        allocated_ip_range: names.privateServicesRange,
        ssl_mode: 'ENCRYPTED_ONLY',
      });
    });

    it('runs the configured version and size, highly available where configured', () => {
      expect(sql).toMatchObject({ database_version: env.database.postgresVersion, region: env.region });
      expect(settings).toMatchObject({
        tier: env.database.tier,
        disk_size: env.database.diskGb,
        disk_autoresize: true,
        availability_type: env.database.highAvailability ? 'REGIONAL' : 'ZONAL',
      });
      if (envName === 'prod') expect(settings.availability_type).toBe('REGIONAL');
    });

    it('backs up daily with point-in-time recovery and the configured retention', () => {
      expect(settings.backup_configuration).toMatchObject({
        enabled: true,
        point_in_time_recovery_enabled: true,
        backup_retention_settings: { retained_backups: env.database.backupRetentionDays, retention_unit: 'COUNT' },
      });
    });

    it('signs services in with IAM and logs connections, checkpoints and lock waits', () => {
      expect(settings.database_flags).toEqual(expect.arrayContaining([{ name: 'cloudsql.iam_authentication', value: 'on' }]));
      for (const flag of ['log_checkpoints', 'log_connections', 'log_disconnections', 'log_lock_waits']) {
        expect(settings.database_flags).toEqual(expect.arrayContaining([{ name: flag, value: 'on' }]));
      }
      expect(settings.insights_config).toMatchObject({ query_insights_enabled: true });
      expect(settings.maintenance_window).toMatchObject({ day: expect.any(Number), hour: expect.any(Number) });
    });

    it('is deletion protected in Terraform and in the API exactly when the environment says so', () => {
      expect(sql.deletion_protection).toBe(env.deletionProtection);
      expect(settings.deletion_protection_enabled).toBe(env.deletionProtection);
    });

    it(envName === 'prod' ? 'has a private, TLS-only read replica' : 'has no read replica', () => {
      const replicas = resourcesOf(s, 'google_sql_database_instance').map(([, r]) => r).filter((r) => r.master_instance_name);
      if (!env.database.readReplica) {
        expect(replicas).toEqual([]);
        return;
      }
      expect(replicas).toHaveLength(1);
      const replica = replicas[0]!;
      expect(replica).toMatchObject({ name: names.sqlReplica, database_version: env.database.postgresVersion, deletion_protection: env.deletionProtection });
      expect(referenced(s, replica.master_instance_name).name).toBe(names.sqlInstance);
      expect((replica.settings as Attributes).ip_configuration).toEqual(settings.ip_configuration);
      expect((replica.settings as Attributes).database_flags).toEqual(DATABASE_FLAGS);
    });

    it('has one database per service that keeps state in Postgres, and no password users', () => {
      expect(resourcesOf(s, 'google_sql_database').map(([, r]) => r.name).sort()).toEqual(SERVICES_WITH_DATABASE.map((svc) => svc.database).sort());
      for (const [, db] of resourcesOf(s, 'google_sql_database')) expect(referenced(s, db.instance).name).toBe(names.sqlInstance);
      // IAM users are created by the identity stack, after the service accounts they name.
      expect(resourcesOf(s, 'google_sql_user')).toEqual([]);
    });
  });

  describe('Memorystore', () => {
    const redis = onlyResource(s, 'google_redis_instance');

    it('is highly available, authenticated, TLS-encrypted and private', () => {
      expect(redis).toMatchObject({
        name: names.redis,
        tier: 'STANDARD_HA',
        auth_enabled: true,
        transit_encryption_mode: 'SERVER_AUTHENTICATION',
        connect_mode: 'PRIVATE_SERVICE_ACCESS',
        authorized_network: names.networkId,
        reserved_ip_range: names.privateServicesRange,
        redis_version: env.redis.version,
        memory_size_gb: env.redis.memoryGb,
        location_id: env.zones[0],
        alternative_location_id: env.zones[1],
        persistence_config: { persistence_mode: 'RDB', rdb_snapshot_period: expect.any(String) },
        maintenance_policy: { weekly_maintenance_window: [expect.objectContaining({ day: expect.any(String) })] },
      });
      expect(redis.alternative_location_id).not.toBe(redis.location_id);
    });

    it('cannot be destroyed where deletion protection is on', () => {
      expect((redis.lifecycle as Attributes).prevent_destroy).toBe(env.deletionProtection);
    });

    it('creates no secret (the identity stack owns them)', () => {
      expect(resourceTypes(s).filter((t) => t.startsWith('google_secret_manager'))).toEqual([]);
    });
  });

  describe('Pub/Sub', () => {
    it('keeps every topic and dead-letter topic in the region for a week or more', () => {
      for (const [, topic] of resourcesOf(s, 'google_pubsub_topic')) {
        expect(topic.message_storage_policy).toEqual({ allowed_persistence_regions: [env.region] });
        expect(Number(String(topic.message_retention_duration).replace(/s$/, ''))).toBeGreaterThanOrEqual(7 * 86400);
      }
    });

    it('dead-letters every subscription to its topic\'s DLQ, except the ones on dead-letter topics', () => {
      const dlqNames = new Set(Object.values(TOPICS).map(deadLetterTopic));
      for (const sub of subscriptions(s)) {
        const topic = referenced(s, sub.topic).name as string;
        if (dlqNames.has(topic)) {
          expect(sub.dead_letter_policy).toBeUndefined();
          continue;
        }
        const policy = sub.dead_letter_policy as Attributes;
        expect(referenced(s, policy.dead_letter_topic).name).toBe(`${topic}-dlq`);
        expect(policy.max_delivery_attempts).toBe(10);
      }
    });

    it('keeps dead letters on a never-expiring subscription of each DLQ for inspection', () => {
      for (const topic of Object.values(TOPICS)) {
        const hold = byName(s, 'google_pubsub_subscription', deadLetterHold(topic));
        expect(referenced(s, hold.topic).name).toBe(deadLetterTopic(topic));
        expect(hold.expiration_policy).toEqual({ ttl: '' });
        expect(hold.message_retention_duration).toBe(`${31 * 86400}s`);
      }
    });

    it('configures every contract subscription: filter, ordering, deadlines, backoff, retention, no expiry', () => {
      for (const spec of SUBSCRIPTIONS) {
        const sub = byName(s, 'google_pubsub_subscription', spec.name);
        expect(referenced(s, sub.topic).name).toBe(spec.topic);
        expect(sub).toMatchObject({
          ack_deadline_seconds: 60,
          enable_message_ordering: spec.ordered,
          enable_exactly_once_delivery: false,
          message_retention_duration: '604800s',
          retry_policy: { minimum_backoff: '10s', maximum_backoff: '600s' },
          expiration_policy: { ttl: '' },
        });
        expect(sub.filter).toBe(spec.filter ?? undefined);
      }
      for (const sub of subscriptions(s)) expect(sub.expiration_policy).toEqual({ ttl: '' });
    });

    it('gives every analytics shard subscription its shard filter, and orders inventory events', () => {
      const shards = SUBSCRIPTIONS.filter((spec) => spec.consumer === 'analytics');
      expect(shards.length).toBeGreaterThan(0);
      for (const spec of shards) {
        const shard = Number(/\.shard-(\d+)$/.exec(spec.name)?.[1]);
        expect(byName(s, 'google_pubsub_subscription', spec.name).filter).toBe(shardFilter(shard));
      }
      for (const spec of SUBSCRIPTIONS.filter((x) => x.topic === TOPICS.inventory && x.consumer !== 'bigquery')) {
        expect(byName(s, 'google_pubsub_subscription', spec.name).enable_message_ordering).toBe(true);
      }
    });

    it('writes raw events to BigQuery with metadata, dead-lettered like the rest', () => {
      const bigquery = SUBSCRIPTIONS.filter((spec) => spec.consumer === 'bigquery');
      expect(bigquery.map((spec) => spec.topic).sort()).toEqual(Object.values(TOPICS).sort());
      for (const spec of bigquery) {
        const sub = byName(s, 'google_pubsub_subscription', spec.name);
        expect(sub.bigquery_config).toEqual({
          table: `${env.project}.\${google_bigquery_table.table_raw_events.dataset_id}.\${google_bigquery_table.table_raw_events.table_id}`,
          write_metadata: true,
        });
        expect(referenced(s, '${google_bigquery_table.table_raw_events.id}').table_id).toBe(WAREHOUSE_TABLES.rawEvents.name);
        expect(sub.dead_letter_policy).toBeDefined();
        expect(sub.depends_on).toEqual(expect.arrayContaining([address(s, 'google_bigquery_table_iam_member', 'roles/bigquery.dataEditor', 'role')]));
      }
      for (const sub of subscriptions(s).filter((x) => !bigquery.some((spec) => spec.name === x.name))) expect(sub.bigquery_config).toBeUndefined();
    });

    it('matches the Pub/Sub BigQuery subscription metadata columns in raw_events', () => {
      // What Pub/Sub writes with write_metadata (and the payload): name -> types it accepts.
      const accepted: Record<string, string[]> = {
        subscription_name: ['STRING'],
        message_id: ['STRING'],
        publish_time: ['TIMESTAMP'],
        attributes: ['STRING', 'JSON'],
        data: ['STRING', 'BYTES', 'JSON'],
      };
      const columns = WAREHOUSE_TABLES.rawEvents.columns;
      expect(columns.map((c) => c.name).sort()).toEqual(Object.keys(accepted).sort());
      for (const c of columns) expect(accepted[c.name]).toContain(c.type);
    });

    it('lets the Pub/Sub service agent dead-letter: publish to each DLQ and subscribe to each source subscription', () => {
      const publishers = resourcesOf(s, 'google_pubsub_topic_iam_member').map(([, r]) => r);
      expect(publishers.map((r) => referenced(s, r.topic).name).sort()).toEqual(Object.values(TOPICS).map(deadLetterTopic).sort());
      for (const r of publishers) expect(r).toMatchObject({ role: 'roles/pubsub.publisher', member: PUBSUB_AGENT });

      const subscribers = resourcesOf(s, 'google_pubsub_subscription_iam_member').map(([, r]) => r);
      const withDeadLetters = subscriptions(s).filter((sub) => sub.dead_letter_policy).map((sub) => sub.name);
      expect(subscribers.map((r) => referenced(s, r.subscription).name).sort()).toEqual(withDeadLetters.sort());
      for (const r of subscribers) expect(r).toMatchObject({ role: 'roles/pubsub.subscriber', member: PUBSUB_AGENT });
      // Write access to the raw events table only, not to the aggregates.
      expect(resourceTypes(s)).not.toContain('google_bigquery_dataset_iam_member');
      expect(onlyResource(s, 'google_bigquery_table_iam_member')).toMatchObject({
        dataset_id: '${google_bigquery_table.table_raw_events.dataset_id}',
        table_id: '${google_bigquery_table.table_raw_events.table_id}',
        role: 'roles/bigquery.dataEditor',
        member: PUBSUB_AGENT,
      });
      expect(s.data?.google_project?.project).toEqual({ project_id: env.project });
    });
  });

  describe('BigQuery', () => {
    it('keeps the dataset in the configured location, with IAM-member access only and its contents on destroy', () => {
      const dataset = onlyResource(s, 'google_bigquery_dataset');
      const days = env.analytics.partitionExpirationDays;
      expect(dataset).toMatchObject({ dataset_id: names.dataset, location: env.analytics.location, delete_contents_on_destroy: false });
      expect(dataset.default_partition_expiration_ms).toBe(days === null ? undefined : days * 86_400_000);
      expect(dataset.access).toBeUndefined();
    });

    it('creates each contract table with its schema, day partitions and clustering', () => {
      for (const table of WAREHOUSE_TABLE_LIST) {
        const resource = byName(s, 'google_bigquery_table', table.name, 'table_id');
        expect(JSON.parse(resource.schema as string)).toEqual(
          table.columns.map((c) => ({ name: c.name, type: c.type, mode: c.required ? 'REQUIRED' : 'NULLABLE', description: c.description })),
        );
        expect(resource).toMatchObject({
          time_partitioning: { type: 'DAY', field: table.partitionColumn },
          clustering: [...table.clustering],
          require_partition_filter: false,
          deletion_protection: env.deletionProtection,
          description: table.description,
        });
        expect(table.columns.map((c) => c.name)).toContain(table.partitionColumn);
        expect(table.clustering.length).toBeLessThanOrEqual(4);
      }
    });

    it('creates the analyst views in order, each after the tables and the views before it', () => {
      expect(views(s).map((v) => v.table_id).sort()).toEqual(ANALYST_VIEWS.map((v) => v.name).sort());
      const tableAddresses = WAREHOUSE_TABLE_LIST.map((t) => address(s, 'google_bigquery_table', t.name, 'table_id'));
      ANALYST_VIEWS.forEach((spec, i) => {
        const view = byName(s, 'google_bigquery_table', spec.name, 'table_id');
        expect(view.view).toEqual({ query: spec.sql(env.project, names.dataset), use_legacy_sql: false });
        expect(view.description).toBe(spec.description);
        const earlier = ANALYST_VIEWS.slice(0, i).map((v) => address(s, 'google_bigquery_table', v.name, 'table_id'));
        expect(view.depends_on).toEqual([...tableAddresses, ...earlier]);
      });
    });
  });

  describe('buckets', () => {
    const bucket = (name: string) => byName(s, 'google_storage_bucket', name);

    it('keeps every bucket private, uniform and emptied by Terraform only where nothing is protected', () => {
      const all = resourcesOf(s, 'google_storage_bucket').map(([, r]) => r);
      expect(all.map((b) => b.name).sort()).toEqual([names.bucket.assets, names.bucket.dataflow, names.bucket.imports].sort());
      for (const b of all) {
        expect(b).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced', location: env.region, force_destroy: !env.deletionProtection });
      }
      if (envName === 'prod') expect(all.every((b) => b.force_destroy === false)).toBe(true);
    });

    it('versions static assets and lets only the storefront read them cross-origin', () => {
      expect(bucket(names.bucket.assets)).toMatchObject({
        versioning: { enabled: true },
        cors: [{ origin: [`https://${env.domain}`], method: ['GET', 'HEAD'], response_header: expect.any(Array), max_age_seconds: expect.any(Number) }],
      });
    });

    it('expires imports after 30 days and Dataflow temp files after 14', () => {
      expect(bucket(names.bucket.imports).lifecycle_rule).toEqual([{ action: { type: 'Delete' }, condition: { age: 30 } }]);
      expect(bucket(names.bucket.dataflow).lifecycle_rule).toEqual([{ action: { type: 'Delete' }, condition: { age: 14, matches_prefix: expect.any(Array) } }]);
    });
  });

  describe('IAM', () => {
    it('grants by additive members only, nothing to the public and no basic roles', () => {
      const types = resourceTypes(s).filter((t) => t.includes('_iam_'));
      expect(types.length).toBeGreaterThan(0);
      for (const type of types) {
        expect(type).toMatch(/_iam_member$/);
        for (const [, grant] of resourcesOf(s, type)) {
          expect(String(grant.member)).not.toMatch(/allUsers|allAuthenticatedUsers/);
          expect(['roles/owner', 'roles/editor', 'roles/viewer']).not.toContain(grant.role);
        }
      }
    });
  });

  it('outputs the Cloud SQL connection name and private IP, the Redis host and the dataset id', () => {
    expect(s.output).toEqual({
      sql_connection_name: expect.objectContaining({ value: '${google_sql_database_instance.sql.connection_name}' }),
      sql_private_ip: expect.objectContaining({ value: '${google_sql_database_instance.sql.private_ip_address}' }),
      redis_host: expect.objectContaining({ value: '${google_redis_instance.redis.host}' }),
      dataset_id: expect.objectContaining({ value: '${google_bigquery_dataset.dataset.dataset_id}' }),
    });
  });

  it('matches its snapshot', () => {
    // View SQL belongs to @shop/dashboards and is compared with ANALYST_VIEWS above; the snapshot keeps the rest.
    const viewQueries = Object.fromEntries(
      resourcesOf(s, 'google_bigquery_table').filter(([, r]) => r.view).map(([id]) => [id, { view: { query: expect.any(String) } }]),
    );
    expect(s).toMatchSnapshot({ resource: { google_bigquery_table: viewQueries } });
  });
});

describe('bigQuerySchema', () => {
  it('keeps the contract column types and maps required to REQUIRED', () => {
    const schema = JSON.parse(bigQuerySchema(WAREHOUSE_TABLES.productActivityMinute)) as Array<{ name: string; type: string; mode: string }>;
    expect(schema.find((c) => c.name === 'views')).toMatchObject({ type: 'INT64', mode: 'REQUIRED' });
    expect(schema.find((c) => c.name === 'currency')).toMatchObject({ type: 'STRING', mode: 'NULLABLE' });
  });
});

it('synthesizes the same JSON twice', () => {
  for (const envName of ENVS) expect(synthesize(DataStack, envName)).toEqual(stacks[envName]);
});
