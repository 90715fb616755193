import { Fn, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { SERVICES, SERVICE_LIST, type ServiceSpec } from '@shop/contracts';
import { ComputeBackendBucket } from '@cdktf/provider-google/lib/compute-backend-bucket';
import { ComputeBackendBucketSignedUrlKey } from '@cdktf/provider-google/lib/compute-backend-bucket-signed-url-key';
import { ComputeBackendService, type ComputeBackendServiceCdnPolicy } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeGlobalForwardingRule } from '@cdktf/provider-google/lib/compute-global-forwarding-rule';
import { ComputeHealthCheck } from '@cdktf/provider-google/lib/compute-health-check';
import { ComputeManagedSslCertificate } from '@cdktf/provider-google/lib/compute-managed-ssl-certificate';
import { ComputeSecurityPolicy, type ComputeSecurityPolicyRule } from '@cdktf/provider-google/lib/compute-security-policy';
import { ComputeSslPolicy } from '@cdktf/provider-google/lib/compute-ssl-policy';
import { ComputeTargetHttpProxy } from '@cdktf/provider-google/lib/compute-target-http-proxy';
import { ComputeTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-target-https-proxy';
import { ComputeUrlMap } from '@cdktf/provider-google/lib/compute-url-map';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import type { Names } from '../names';
import { PlatformStack, type StackProps } from '../stack';

const SCHEME = 'EXTERNAL_MANAGED';

/** Cloud Armor's preconfigured OWASP rule sets, evaluated before the rate limit lets a request through. */
export const WAF_RULE_SETS = [
  'sqli-v33-stable',
  'xss-v33-stable',
  'lfi-v33-stable',
  'rfi-v33-stable',
  'rce-v33-stable',
  'scannerdetection-v33-stable',
  'protocolattack-v33-stable',
  'sessionfixation-v33-stable',
] as const;

const WAF_PRIORITY = 1000;
/** After the WAF rules: a conforming throttle allows the request and ends evaluation. */
const RATE_LIMIT_PRIORITY = 9000;
const DEFAULT_RULE_PRIORITY = 2147483647;

/** Requests per second one pod takes before the load balancer spreads load elsewhere. */
const MAX_RATE_PER_ENDPOINT = 100;

const DAY = 86400;
const YEAR = 365 * DAY;

/** Paths the activity service serves to browsers; the rest of the site is the storefront. */
const ACTIVITY_PATHS = ['/v1/activity', '/v1/activity/*', '/beacon', '/beacon/*'];
const ASSET_PATHS = ['/assets/*'];

/**
 * The storefront decides what is cacheable: public pages send s-maxage with
 * stale-while-revalidate, cart and checkout send private, no-store.
 */
const STOREFRONT_CDN: ComputeBackendServiceCdnPolicy = {
  cacheMode: 'USE_ORIGIN_HEADERS',
  serveWhileStale: DAY,
  requestCoalescing: true,
  negativeCaching: true,
  negativeCachingPolicy: [{ code: 404, ttl: 60 }],
  cacheKeyPolicy: { includeHost: true, includeProtocol: true, includeQueryString: true },
};

/** Backend service of a public workload; the observability stack alerts on it by this name. */
export const backendServiceName = (names: Names, workload: string): string => `${names.prefix}-${workload}`;

/**
 * The storefront's front door: global external Application Load Balancer with a managed
 * certificate, TLS 1.2+, Cloud Armor, Cloud CDN, and an HTTP to HTTPS redirect.
 */
export class EdgeStack extends PlatformStack {
  constructor(scope: Construct, props: StackProps) {
    super(scope, 'edge', props);
    const { domain } = this.env;
    const edge = this.names.edge;

    const address = new ComputeGlobalAddress(this, 'address', { name: edge.address, ipVersion: 'IPV4' });
    const certificate = new ComputeManagedSslCertificate(this, 'certificate', { name: edge.certificate, managed: { domains: [domain] } });
    const sslPolicy = new ComputeSslPolicy(this, 'ssl-policy', { name: edge.sslPolicy, minTlsVersion: 'TLS_1_2', profile: 'MODERN' });
    const armor = this.armorPolicy();

    const backends = new Map<string, ComputeBackendService>();
    for (const service of SERVICE_LIST.filter((s) => s.public)) {
      backends.set(service.name, this.backendService(service, armor));
    }
    const backend = (name: string): ComputeBackendService => {
      const found = backends.get(name);
      if (!found) throw new Error(`${name} is not a public service`);
      return found;
    };
    const storefront = backend(SERVICES.storefront.name);
    const assets = this.assetsBackend();

    const urlMap = new ComputeUrlMap(this, 'url-map', {
      name: `${this.names.prefix}-storefront`,
      defaultService: storefront.id,
      hostRule: [{ hosts: [domain], pathMatcher: 'storefront' }],
      pathMatcher: [
        {
          name: 'storefront',
          defaultService: storefront.id,
          pathRule: [
            { paths: ASSET_PATHS, service: assets.id },
            { paths: ACTIVITY_PATHS, service: backend(SERVICES.activity.name).id },
          ],
        },
      ],
    });
    const httpsProxy = new ComputeTargetHttpsProxy(this, 'https-proxy', {
      name: `${this.names.prefix}-storefront-https`,
      urlMap: urlMap.id,
      sslCertificates: [certificate.id],
      sslPolicy: sslPolicy.id,
    });
    new ComputeGlobalForwardingRule(this, 'https-rule', {
      name: `${this.names.prefix}-storefront-https`,
      loadBalancingScheme: SCHEME,
      ipProtocol: 'TCP',
      ipAddress: address.id,
      portRange: '443',
      target: httpsProxy.id,
    });

    const redirectMap = new ComputeUrlMap(this, 'redirect-map', {
      name: `${this.names.prefix}-storefront-redirect`,
      defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: 'MOVED_PERMANENTLY_DEFAULT', stripQuery: false },
    });
    const httpProxy = new ComputeTargetHttpProxy(this, 'http-proxy', { name: `${this.names.prefix}-storefront-http`, urlMap: redirectMap.id });
    new ComputeGlobalForwardingRule(this, 'http-rule', {
      name: `${this.names.prefix}-storefront-http`,
      loadBalancingScheme: SCHEME,
      ipProtocol: 'TCP',
      ipAddress: address.id,
      portRange: '80',
      target: httpProxy.id,
    });

    new TerraformOutput(this, 'load_balancer_ip', { description: `Point ${domain} here`, value: address.address });
    new TerraformOutput(this, 'certificate_name', { description: 'Managed certificate; ACTIVE once DNS points at the load balancer', value: certificate.name });
  }

  /** OWASP rules and a per-IP rate limit, all in preview until the config switches armorMode to enforce. */
  private armorPolicy(): ComputeSecurityPolicy {
    const preview = this.env.edge.armorMode === 'preview';
    const waf: ComputeSecurityPolicyRule[] = WAF_RULE_SETS.map((ruleSet, i) => ({
      priority: WAF_PRIORITY + i * 10,
      action: 'deny(403)',
      preview,
      description: `OWASP ${ruleSet}`,
      // Sensitivity 1 holds only the high-confidence signatures, so real shoppers are not blocked.
      match: { expr: { expression: `evaluatePreconfiguredWaf('${ruleSet}', {'sensitivity': 1})` } },
    }));
    const rateLimit: ComputeSecurityPolicyRule = {
      priority: RATE_LIMIT_PRIORITY,
      action: 'throttle',
      preview,
      description: `At most ${this.env.edge.rateLimitPerMinute} requests a minute per client IP`,
      match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
      rateLimitOptions: {
        enforceOnKey: 'IP',
        conformAction: 'allow',
        exceedAction: 'deny(429)',
        rateLimitThreshold: { count: this.env.edge.rateLimitPerMinute, intervalSec: 60 },
      },
    };
    const defaultRule: ComputeSecurityPolicyRule = {
      priority: DEFAULT_RULE_PRIORITY,
      action: 'allow',
      description: 'Default: allow',
      match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
    };
    return new ComputeSecurityPolicy(this, 'armor', {
      name: this.names.edge.armorPolicy,
      type: 'CLOUD_ARMOR',
      description: `Storefront edge policy (${this.env.edge.armorMode})`,
      // The public API takes JSON bodies; parsing them keeps the WAF from matching on JSON syntax.
      advancedOptionsConfig: { jsonParsing: 'STANDARD' },
      adaptiveProtectionConfig: { layer7DdosDefenseConfig: { enable: true, ruleVisibility: 'STANDARD' } },
      rule: [...waf, rateLimit, defaultRule],
    });
  }

  /** Backend service over the standalone zonal NEGs the service's Kubernetes Service creates. */
  private backendService(service: ServiceSpec, armor: ComputeSecurityPolicy): ComputeBackendService {
    const prefix = this.names.prefix;
    const healthCheck = new ComputeHealthCheck(this, `${service.name}-health`, {
      name: `${prefix}-${service.name}-ready`,
      checkIntervalSec: 10,
      timeoutSec: 5,
      httpHealthCheck: { port: service.port, requestPath: service.probes.ready },
    });
    const cdn = service.name === SERVICES.storefront.name;
    return new ComputeBackendService(this, `${service.name}-backend`, {
      name: backendServiceName(this.names, service.name),
      loadBalancingScheme: SCHEME,
      protocol: 'HTTP',
      // NEG endpoints carry the container port, so the backend service needs no named port.
      healthChecks: [healthCheck.id],
      securityPolicy: armor.id,
      logConfig: { enable: true, sampleRate: this.env.env === 'prod' ? 0.1 : 1 },
      backend: this.env.zones.map((zone) => ({
        group: `projects/${this.env.project}/zones/${zone}/networkEndpointGroups/${this.names.edge.neg(service.name)}`,
        balancingMode: 'RATE',
        maxRatePerEndpoint: MAX_RATE_PER_ENDPOINT,
      })),
      enableCdn: cdn,
      ...(cdn ? { cdnPolicy: STOREFRONT_CDN } : {}),
    });
  }

  /**
   * Static assets from the private assets bucket through Cloud CDN. The bucket enforces public
   * access prevention, so Cloud CDN fills from it as its own service agent (private bucket access).
   */
  private assetsBackend(): ComputeBackendBucket {
    const bucket = this.names.bucket.assets;
    const assets = new ComputeBackendBucket(this, 'assets-backend', {
      name: `${this.names.prefix}-assets`,
      bucketName: bucket,
      enableCdn: true,
      compressionMode: 'AUTOMATIC',
      cdnPolicy: {
        cacheMode: 'CACHE_ALL_STATIC',
        defaultTtl: 7 * DAY,
        clientTtl: 7 * DAY,
        maxTtl: YEAR,
        serveWhileStale: DAY,
        requestCoalescing: true,
        negativeCaching: true,
        negativeCachingPolicy: [{ code: 404, ttl: 60 }],
      },
    });
    // Google creates the Cloud CDN fill agent when a project's first signed request key is added.
    // The key only serves that purpose: unsigned requests are served as before, and its value
    // (fixed at creation, then ignored) signs nothing the public would not get anyway.
    const key = new ComputeBackendBucketSignedUrlKey(this, 'assets-fill-agent-key', {
      name: `${this.names.prefix}-assets-fill`,
      backendBucket: assets.name,
      keyValue: Fn.base64encode(Fn.substr(Fn.replace(Fn.uuid(), '-', ''), 0, 16)),
      lifecycle: { ignoreChanges: ['key_value'] },
    });
    const projectInfo = new DataGoogleProject(this, 'project', { projectId: this.env.project });
    new StorageBucketIamMember(this, 'assets-cdn-fill-reader', {
      bucket,
      role: 'roles/storage.objectViewer',
      member: `serviceAccount:service-${projectInfo.number}@cloud-cdn-fill.iam.gserviceaccount.com`,
      dependsOn: [key],
    });
    return assets;
  }
}
