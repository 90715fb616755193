/** Addresses Google fixes for every project, used by the network stack and the Kubernetes network policies alike. */

/** Source ranges of Google Cloud load balancer health checks and proxies. */
export const HEALTH_CHECK_RANGES: readonly string[] = ['35.191.0.0/16', '130.211.0.0/22'];

/**
 * private.googleapis.com: Google APIs over Private Google Access. The network stack's private DNS
 * zone points every *.googleapis.com name here, so workloads need egress to this range only.
 */
export const PRIVATE_GOOGLE_APIS = {
  host: 'private.googleapis.com',
  cidr: '199.36.153.8/30',
  addresses: ['199.36.153.8', '199.36.153.9', '199.36.153.10', '199.36.153.11'],
} as const;

/** Google's Cloud SQL Auth Proxy image (a sidecar of every service with a database); Binary Authorization admits it. */
export const CLOUD_SQL_PROXY_REPOSITORY = 'gcr.io/cloud-sql-connectors/cloud-sql-proxy';
