import { DEFAULT_SHARD_COUNT, TOPICS, type TopicName } from './topics';

/**
 * The deployable parts of the platform, as infrastructure, manifests and the local platform see
 * them. One list, so a service added here gets its identity, database and subscriptions everywhere.
 */
export type Cluster = 'frontend' | 'backend';

export interface ServiceSpec {
  /** Name of the workload: Kubernetes Deployment, Google service account, image. */
  name: string;
  cluster: Cluster;
  /** Port the container listens on (`PORT`). */
  port: number;
  /** Its own Cloud SQL database, or null when it keeps no state in Postgres. */
  database: string | null;
  /** Topics it publishes to (through its outbox). */
  publishes: readonly TopicName[];
  /** Whether it uses Memorystore (cache, rate limits, live fan-out). */
  redis: boolean;
  /** Serves shoppers through the global load balancer and Cloud CDN. */
  public: boolean;
  /** Liveness and readiness probe paths; every service built on the kit serves both. */
  probes: { readonly live: string; readonly ready: string };
}

/** Probe paths every service serves (the kit's HTTP app) and every manifest probes. */
export const PROBE_PATHS = { live: '/healthz', ready: '/readyz' } as const;
/** Port every service container listens on (the kit's PORT default). */
export const CONTAINER_PORT = 8080;
const PROBES = PROBE_PATHS;

export const SERVICES = {
  storefront: { name: 'storefront', cluster: 'frontend', port: CONTAINER_PORT, database: null, publishes: [], redis: true, public: true, probes: PROBES },
  activity: { name: 'activity', cluster: 'frontend', port: CONTAINER_PORT, database: null, publishes: [TOPICS.activity], redis: true, public: true, probes: PROBES },
  catalog: { name: 'catalog', cluster: 'backend', port: CONTAINER_PORT, database: 'catalog', publishes: [TOPICS.catalog], redis: true, public: false, probes: PROBES },
  inventory: { name: 'inventory', cluster: 'backend', port: CONTAINER_PORT, database: 'inventory', publishes: [TOPICS.inventory], redis: true, public: false, probes: PROBES },
  orders: { name: 'orders', cluster: 'backend', port: CONTAINER_PORT, database: 'orders', publishes: [TOPICS.orders], redis: true, public: false, probes: PROBES },
} as const satisfies Record<string, ServiceSpec>;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_LIST: readonly ServiceSpec[] = Object.values(SERVICES);

/** The streaming analytics job: one consumer per shard of every topic (see `shardOf`). */
export const ANALYTICS_JOB = { name: 'analytics', cluster: 'backend', shards: DEFAULT_SHARD_COUNT } as const;

export interface SubscriptionSpec {
  name: string;
  topic: TopicName;
  /** The workload that pulls it, or `bigquery` for a BigQuery subscription. */
  consumer: string;
  /** Pub/Sub subscription filter, e.g. the shard a runner replica owns. */
  filter: string | null;
  /** Ordered delivery (inventory events are ordered per SKU). */
  ordered: boolean;
}

const ORDERED_TOPICS: ReadonlySet<TopicName> = new Set([TOPICS.inventory]);

const pull = (consumer: string, topic: TopicName, suffix = '', filter: string | null = null): SubscriptionSpec => ({
  name: `${consumer}.${topic}${suffix}`,
  topic,
  consumer,
  filter,
  ordered: ORDERED_TOPICS.has(topic),
});

/** Pub/Sub filter selecting one analytics shard. */
export const shardFilter = (shard: number): string => `attributes.shard = "${shard}"`;

export const SUBSCRIPTIONS: readonly SubscriptionSpec[] = [
  // Catalog drops cached product pages and listings when stock changes.
  pull(SERVICES.catalog.name, TOPICS.inventory),
  // Catalog counts units sold (best sellers) from paid orders.
  pull(SERVICES.catalog.name, TOPICS.orders),
  // Orders removes deleted products from carts.
  pull(SERVICES.orders.name, TOPICS.catalog),
  // Every analytics replica owns one shard of every topic.
  ...Object.values(TOPICS).flatMap((topic) =>
    Array.from({ length: ANALYTICS_JOB.shards }, (_, shard) => pull(ANALYTICS_JOB.name, topic, `.shard-${shard}`, shardFilter(shard))),
  ),
  // Raw events land in BigQuery as they are, for replays and ad hoc analysis.
  ...Object.values(TOPICS).map((topic): SubscriptionSpec => ({ name: `bigquery.${topic}`, topic, consumer: 'bigquery', filter: null, ordered: false })),
];

/** Kubernetes namespace the platform's workloads run in, on both clusters. */
export const KUBERNETES_NAMESPACE = 'shop';

export interface SecretSpec {
  /** Secret Manager secret id; services reference it as `sm://<name>` in config. */
  name: string;
  description: string;
  /** Workloads allowed to read it; nobody else gets access. */
  accessors: readonly string[];
  /** The setting its readers take it in, as `<SETTING>=sm://<name>`. */
  setting: string;
}

const REDIS_USERS = SERVICE_LIST.filter((s) => s.redis).map((s) => s.name);

export const SECRETS: readonly SecretSpec[] = [
  { name: 'redis-url', description: 'Memorystore rediss:// URL with its AUTH string', accessors: REDIS_USERS, setting: 'REDIS_URL' },
  { name: 'redis-ca', description: 'Certificate of the CA that signs Memorystore\'s in-transit encryption', accessors: REDIS_USERS, setting: 'REDIS_CA_CERT' },
  // The activity service verifies the shopper cookie the page beacon arrives with.
  { name: 'storefront-cookie-key', description: 'Key that signs shopper id and cart cookies', accessors: [SERVICES.storefront.name, SERVICES.activity.name], setting: 'STOREFRONT_COOKIE_KEY' },
  { name: 'payment-provider-key', description: 'API key of the payment provider', accessors: [SERVICES.orders.name], setting: 'PAYMENT_PROVIDER_KEY' },
];
