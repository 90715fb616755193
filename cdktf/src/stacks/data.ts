import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import {
  SERVICE_LIST,
  SUBSCRIPTIONS,
  TOPICS,
  WAREHOUSE_TABLES,
  WAREHOUSE_TABLE_LIST,
  deadLetterTopic,
  type TableSpec,
  type TopicName,
} from '@shop/contracts';
import { ANALYST_VIEWS } from '@shop/dashboards';
import { BigqueryDataset } from '@cdktf/provider-google/lib/bigquery-dataset';
import { BigqueryTable } from '@cdktf/provider-google/lib/bigquery-table';
import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { RedisInstance } from '@cdktf/provider-google/lib/redis-instance';
import { SqlDatabase } from '@cdktf/provider-google/lib/sql-database';
import { SqlDatabaseInstance, type SqlDatabaseInstanceSettingsIpConfiguration } from '@cdktf/provider-google/lib/sql-database-instance';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { PlatformStack, type StackProps } from '../stack';

const DAY_SECONDS = 24 * 60 * 60;
/** Unacked messages are kept a week: long enough to survive a consumer outage over a weekend. */
const MESSAGE_RETENTION = `${7 * DAY_SECONDS}s`;
/** Dead letters wait the longest Pub/Sub allows for someone to inspect or replay them. */
const DEAD_LETTER_RETENTION = `${31 * DAY_SECONDS}s`;
const ACK_DEADLINE_SECONDS = 60;
const MAX_DELIVERY_ATTEMPTS = 10;

/** Postgres flags: services sign in with IAM; connection, checkpoint and lock-wait logs serve audits and incidents. */
export const DATABASE_FLAGS = [
  { name: 'cloudsql.iam_authentication', value: 'on' },
  { name: 'log_checkpoints', value: 'on' },
  { name: 'log_connections', value: 'on' },
  { name: 'log_disconnections', value: 'on' },
  { name: 'log_lock_waits', value: 'on' },
];

/** Services that keep state in Postgres, each with its own database. */
export const SERVICES_WITH_DATABASE = SERVICE_LIST.filter((s): s is typeof s & { database: string } => s.database !== null);

/** Pull subscription that keeps a dead-letter topic's messages for inspection. */
export const deadLetterHold = (topic: TopicName): string => `${deadLetterTopic(topic)}.hold`;

/** BigQuery table schema JSON of a warehouse table contract. */
export const bigQuerySchema = (table: TableSpec): string =>
  JSON.stringify(table.columns.map((c) => ({ name: c.name, type: c.type, mode: c.required ? 'REQUIRED' : 'NULLABLE', description: c.description })));

interface Warehouse {
  /** Table the BigQuery subscriptions write. */
  rawEvents: BigqueryTable;
  /** The Pub/Sub service agent's write access to it. */
  agentAccess: BigqueryTableIamMember;
}

/** Terraform logical id from a contract name (dots and dashes are not allowed everywhere). */
const logicalId = (kind: string, name: string): string => `${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;

/** Cloud SQL, Memorystore, Pub/Sub, the BigQuery warehouse and the platform's buckets. */
export class DataStack extends PlatformStack {
  constructor(scope: Construct, props: StackProps) {
    super(scope, 'data', props);
    const project = new DataGoogleProject(this, 'project', { projectId: this.env.project });
    // Google-managed account that dead-letters messages and writes BigQuery subscriptions.
    const pubsubAgent = `serviceAccount:service-${project.number}@gcp-sa-pubsub.iam.gserviceaccount.com`;

    this.database();
    this.cache();
    const warehouse = this.warehouse(pubsubAgent);
    this.messaging(pubsubAgent, warehouse);
    this.buckets();
  }

  private database(): void {
    const { env, names } = this;
    const db = env.database;
    const ipConfiguration: SqlDatabaseInstanceSettingsIpConfiguration = {
      ipv4Enabled: false,
      privateNetwork: names.networkId,
      allocatedIpRange: names.privateServicesRange,
      sslMode: 'ENCRYPTED_ONLY',
    };
    // Performance-optimized tiers exist only in Enterprise Plus; custom tiers only in Enterprise.
    const edition = db.tier.startsWith('db-perf-optimized') ? 'ENTERPRISE_PLUS' : 'ENTERPRISE';

    const instance = new SqlDatabaseInstance(this, 'sql', {
      name: names.sqlInstance,
      region: env.region,
      databaseVersion: db.postgresVersion,
      deletionProtection: env.deletionProtection,
      settings: {
        tier: db.tier,
        edition,
        availabilityType: db.highAvailability ? 'REGIONAL' : 'ZONAL',
        diskType: 'PD_SSD',
        diskSize: db.diskGb,
        diskAutoresize: true,
        deletionProtectionEnabled: env.deletionProtection,
        retainBackupsOnDelete: env.deletionProtection,
        ipConfiguration,
        backupConfiguration: {
          enabled: true,
          startTime: '02:00',
          pointInTimeRecoveryEnabled: true,
          transactionLogRetentionDays: Math.min(db.backupRetentionDays, edition === 'ENTERPRISE_PLUS' ? 35 : 7),
          backupRetentionSettings: { retainedBackups: db.backupRetentionDays, retentionUnit: 'COUNT' },
        },
        databaseFlags: DATABASE_FLAGS,
        insightsConfig: { queryInsightsEnabled: true, queryStringLength: 1024, recordApplicationTags: true, recordClientAddress: true },
        maintenanceWindow: { day: 7, hour: 3, updateTrack: 'stable' },
      },
    });

    if (db.readReplica) {
      new SqlDatabaseInstance(this, 'sql_replica', {
        name: names.sqlReplica,
        region: env.region,
        databaseVersion: db.postgresVersion,
        masterInstanceName: instance.name,
        deletionProtection: env.deletionProtection,
        settings: {
          tier: db.tier,
          edition,
          availabilityType: 'ZONAL',
          diskType: 'PD_SSD',
          diskSize: db.diskGb,
          diskAutoresize: true,
          deletionProtectionEnabled: env.deletionProtection,
          ipConfiguration,
          databaseFlags: DATABASE_FLAGS,
          insightsConfig: { queryInsightsEnabled: true, queryStringLength: 1024, recordApplicationTags: true, recordClientAddress: true },
          maintenanceWindow: { day: 7, hour: 4, updateTrack: 'stable' },
        },
      });
    }

    for (const service of SERVICES_WITH_DATABASE) {
      new SqlDatabase(this, logicalId('database', service.database), {
        instance: instance.name,
        name: service.database,
        // Postgres refuses to drop a database other roles still own objects in; the instance's protection guards it.
        deletionPolicy: 'ABANDON',
      });
    }

    new TerraformOutput(this, 'sql_connection_name', { value: instance.connectionName, description: 'Cloud SQL connection name (project:region:instance)' });
    new TerraformOutput(this, 'sql_private_ip', { value: instance.privateIpAddress, description: 'Private IP of the Cloud SQL primary' });
  }

  private cache(): void {
    const { env, names } = this;
    const redis = new RedisInstance(this, 'redis', {
      name: names.redis,
      region: env.region,
      tier: 'STANDARD_HA',
      locationId: env.zones[0],
      alternativeLocationId: env.zones[1],
      memorySizeGb: env.redis.memoryGb,
      redisVersion: env.redis.version,
      authEnabled: true,
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
      connectMode: 'PRIVATE_SERVICE_ACCESS',
      authorizedNetwork: names.networkId,
      reservedIpRange: names.privateServicesRange,
      persistenceConfig: { persistenceMode: 'RDB', rdbSnapshotPeriod: 'TWELVE_HOURS' },
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: 'SUNDAY', startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 } }] },
      // Memorystore has no deletion protection of its own.
      lifecycle: { preventDestroy: env.deletionProtection },
    });
    new TerraformOutput(this, 'redis_host', { value: redis.host, description: 'Private IP of the Memorystore primary' });
  }

  private warehouse(pubsubAgent: string): Warehouse {
    const { env, names } = this;
    const days = env.analytics.partitionExpirationDays;
    const dataset = new BigqueryDataset(this, 'dataset', {
      datasetId: names.dataset,
      location: env.analytics.location,
      description: 'Analytics warehouse: streaming aggregates, raw events and analyst views',
      defaultPartitionExpirationMs: days === null ? undefined : days * DAY_SECONDS * 1000,
      deleteContentsOnDestroy: false,
    });

    const tables = WAREHOUSE_TABLE_LIST.map(
      (table) =>
        new BigqueryTable(this, logicalId('table', table.name), {
          datasetId: dataset.datasetId,
          tableId: table.name,
          description: table.description,
          schema: bigQuerySchema(table),
          timePartitioning: { type: 'DAY', field: table.partitionColumn },
          clustering: [...table.clustering],
          requirePartitionFilter: false,
          deletionProtection: env.deletionProtection,
        }),
    );
    // Each view is created after the tables and every view before it, which is the order it may read them in.
    const views: BigqueryTable[] = [];
    for (const view of ANALYST_VIEWS) {
      views.push(
        new BigqueryTable(this, logicalId('view', view.name), {
          datasetId: dataset.datasetId,
          tableId: view.name,
          description: view.description,
          view: { query: view.sql(env.project, names.dataset), useLegacySql: false },
          deletionProtection: env.deletionProtection,
          dependsOn: [...tables, ...views],
        }),
      );
    }

    const rawEvents = tables[WAREHOUSE_TABLE_LIST.indexOf(WAREHOUSE_TABLES.rawEvents)];
    if (!rawEvents) throw new Error(`the warehouse contract has no ${WAREHOUSE_TABLES.rawEvents.name} table`);

    // BigQuery subscriptions write raw events as the Pub/Sub service agent; it can write no other table.
    const agentAccess = new BigqueryTableIamMember(this, 'pubsub_agent_raw_events_editor', {
      datasetId: rawEvents.datasetId,
      tableId: rawEvents.tableId,
      role: 'roles/bigquery.dataEditor',
      member: pubsubAgent,
    });

    new TerraformOutput(this, 'dataset_id', { value: dataset.datasetId, description: 'BigQuery analytics dataset' });
    return { rawEvents, agentAccess };
  }

  private messaging(pubsubAgent: string, warehouse: Warehouse): void {
    const { env } = this;
    const storage = { allowedPersistenceRegions: [env.region] };

    const topics = new Map<TopicName, { topic: PubsubTopic; deadLetter: PubsubTopic }>();
    for (const name of Object.values(TOPICS)) {
      const topic = new PubsubTopic(this, logicalId('topic', name), { name, messageRetentionDuration: MESSAGE_RETENTION, messageStoragePolicy: storage });
      const dlq = new PubsubTopic(this, logicalId('topic', deadLetterTopic(name)), {
        name: deadLetterTopic(name),
        messageRetentionDuration: DEAD_LETTER_RETENTION,
        messageStoragePolicy: storage,
      });
      topics.set(name, { topic, deadLetter: dlq });
      // Pub/Sub forwards undeliverable messages to the dead-letter topic as its service agent.
      new PubsubTopicIamMember(this, logicalId('dlq_publisher', name), { topic: dlq.name, role: 'roles/pubsub.publisher', member: pubsubAgent });
      new PubsubSubscription(this, logicalId('subscription', deadLetterHold(name)), {
        name: deadLetterHold(name),
        topic: dlq.id,
        ackDeadlineSeconds: ACK_DEADLINE_SECONDS,
        messageRetentionDuration: DEAD_LETTER_RETENTION,
        expirationPolicy: { ttl: '' },
      });
    }

    for (const spec of SUBSCRIPTIONS) {
      const source = topics.get(spec.topic);
      if (!source) throw new Error(`subscription ${spec.name} reads unknown topic ${spec.topic}`);
      const toBigQuery = spec.consumer === 'bigquery';
      const subscription = new PubsubSubscription(this, logicalId('subscription', spec.name), {
        name: spec.name,
        topic: source.topic.id,
        filter: spec.filter ?? undefined,
        enableMessageOrdering: spec.ordered,
        ackDeadlineSeconds: ACK_DEADLINE_SECONDS,
        messageRetentionDuration: MESSAGE_RETENTION,
        enableExactlyOnceDelivery: false,
        // Consumers deduplicate by event id, so redelivery is safe; back off to spare a struggling consumer.
        retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
        deadLetterPolicy: { deadLetterTopic: source.deadLetter.id, maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS },
        // Never expire: an idle consumer must not silently lose its subscription.
        expirationPolicy: { ttl: '' },
        // Raw events land as they are; write_metadata fills the subscription, id, time and attribute columns.
        bigqueryConfig: toBigQuery ? { table: `${env.project}.${warehouse.rawEvents.datasetId}.${warehouse.rawEvents.tableId}`, writeMetadata: true } : undefined,
        // The service agent must be able to write the table before Pub/Sub accepts the subscription.
        dependsOn: toBigQuery ? [warehouse.rawEvents, warehouse.agentAccess] : undefined,
      });
      // The service agent acknowledges messages it dead-letters.
      new PubsubSubscriptionIamMember(this, logicalId('dlq_subscriber', spec.name), {
        subscription: subscription.name,
        role: 'roles/pubsub.subscriber',
        member: pubsubAgent,
      });
    }
  }

  private buckets(): void {
    const { env, names } = this;
    const common = {
      location: env.region,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      forceDestroy: !env.deletionProtection,
    };
    new StorageBucket(this, 'assets_bucket', {
      ...common,
      name: names.bucket.assets,
      versioning: { enabled: true },
      // Old asset versions stay a month for rollbacks, then go.
      lifecycleRule: [{ action: { type: 'Delete' }, condition: { withState: 'ARCHIVED', daysSinceNoncurrentTime: 30 } }],
      cors: [{ origin: [`https://${env.domain}`], method: ['GET', 'HEAD'], responseHeader: ['Content-Type', 'Cache-Control', 'ETag'], maxAgeSeconds: 3600 }],
    });
    new StorageBucket(this, 'imports_bucket', {
      ...common,
      name: names.bucket.imports,
      lifecycleRule: [{ action: { type: 'Delete' }, condition: { age: 30 } }],
    });
    new StorageBucket(this, 'dataflow_bucket', {
      ...common,
      name: names.bucket.dataflow,
      // Only job temp files expire; the staged template under templates/ must outlive them.
      lifecycleRule: [{ action: { type: 'Delete' }, condition: { age: 14, matchesPrefix: ['temp/', 'staging/'] } }],
    });
  }
}
