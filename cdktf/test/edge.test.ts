import { SERVICES, SERVICE_LIST } from '@shop/contracts';
import type { Environment } from '../src/config';
import { namesFor } from '../src/names';
import { EdgeStack, WAF_RULE_SETS } from '../src/stacks/edge';
import { environment, onlyResource, resourceTypes, resourcesOf, synthesize, type Attributes, type Synthesized } from './support';

const DEFAULT_RULE_PRIORITY = 2147483647;

const ref = (type: string, id: string, attribute = 'id'): string => `\${${type}.${id}.${attribute}}`;

/** The construct id of the only resource of a type with the given name. */
function idNamed(synth: Synthesized, type: string, name: string): string {
  const found = resourcesOf(synth, type).filter(([, r]) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0]![0];
}

const rulesOf = (synth: Synthesized): Attributes[] => onlyResource(synth, 'google_compute_security_policy').rule as Attributes[];

describe.each(['dev', 'prod'] as const)('edge stack (%s)', (envName) => {
  const env = environment(envName);
  const names = namesFor(env);
  const synth = synthesize(EdgeStack, env);
  const publicServices = SERVICE_LIST.filter((s) => s.public);
  const backendServices = resourcesOf(synth, 'google_compute_backend_service');

  it('serves HTTPS with the managed certificate of the domain and a TLS 1.2+ policy on the proxy', () => {
    expect(onlyResource(synth, 'google_compute_managed_ssl_certificate')).toMatchObject({ name: names.edge.certificate, managed: { domains: [env.domain] } });
    const policy = onlyResource(synth, 'google_compute_ssl_policy');
    expect(policy).toMatchObject({ name: names.edge.sslPolicy, min_tls_version: 'TLS_1_2' });
    expect(['MODERN', 'RESTRICTED']).toContain(policy.profile);
    const proxy = onlyResource(synth, 'google_compute_target_https_proxy');
    expect(proxy.ssl_policy).toBe(ref('google_compute_ssl_policy', 'ssl-policy'));
    expect(proxy.ssl_certificates).toEqual([ref('google_compute_managed_ssl_certificate', 'certificate')]);
  });

  it('listens on 443 and redirects 80 to HTTPS on the same address', () => {
    const addressId = idNamed(synth, 'google_compute_global_address', names.edge.address);
    const rules = resourcesOf(synth, 'google_compute_global_forwarding_rule').map(([, r]) => r);
    for (const rule of rules) expect(rule).toMatchObject({ load_balancing_scheme: 'EXTERNAL_MANAGED', ip_address: ref('google_compute_global_address', addressId) });
    expect(rules.map((r) => r.port_range).sort()).toEqual(['443', '80']);
    const https = rules.find((r) => r.port_range === '443');
    expect(https?.target).toBe(ref('google_compute_target_https_proxy', 'https-proxy'));

    const http = rules.find((r) => r.port_range === '80');
    const httpProxyId = /^\$\{google_compute_target_http_proxy\.([^.]+)\.id\}$/.exec(String(http?.target))?.[1] ?? '';
    const httpProxy = synth.resource?.google_compute_target_http_proxy?.[httpProxyId];
    const redirectMapId = /^\$\{google_compute_url_map\.([^.]+)\.id\}$/.exec(String(httpProxy?.url_map))?.[1] ?? '';
    expect(synth.resource?.google_compute_url_map?.[redirectMapId]).toMatchObject({
      default_url_redirect: { https_redirect: true, redirect_response_code: 'MOVED_PERMANENTLY_DEFAULT', strip_query: false },
    });
    expect(synth.resource?.google_compute_url_map?.[redirectMapId]?.default_service).toBeUndefined();
  });

  it('puts a backend service with Armor and logging in front of every public service, over its zonal NEGs', () => {
    expect(backendServices).toHaveLength(publicServices.length);
    for (const service of publicServices) {
      const backend = backendServices.find(([, b]) => b.name === `${names.prefix}-${service.name}`)?.[1];
      expect(backend).toMatchObject({
        load_balancing_scheme: 'EXTERNAL_MANAGED',
        protocol: 'HTTP',
        security_policy: ref('google_compute_security_policy', 'armor'),
        log_config: { enable: true, sample_rate: expect.any(Number) },
      });
      expect(backend?.backend).toEqual(
        env.zones.map((zone) => ({
          group: `projects/${env.project}/zones/${zone}/networkEndpointGroups/${names.edge.neg(service.name)}`,
          balancing_mode: 'RATE',
          max_rate_per_endpoint: expect.any(Number),
        })),
      );
      const [healthId] = (backend?.health_checks as string[]).map((h) => /^\$\{google_compute_health_check\.([^.]+)\.id\}$/.exec(h)?.[1] ?? '');
      expect(synth.resource?.google_compute_health_check?.[healthId ?? '']?.http_health_check).toEqual({ port: service.port, request_path: service.probes.ready });
    }
  });

  it('caches the storefront by origin headers and the assets bucket, never activity', () => {
    const storefront = backendServices.find(([, b]) => b.name === `${names.prefix}-${SERVICES.storefront.name}`)?.[1];
    expect(storefront).toMatchObject({
      enable_cdn: true,
      cdn_policy: {
        cache_mode: 'USE_ORIGIN_HEADERS',
        serve_while_stale: expect.any(Number),
        negative_caching: true,
        negative_caching_policy: [{ code: 404, ttl: expect.any(Number) }],
        cache_key_policy: { include_query_string: true },
      },
    });
    expect(storefront?.cdn_policy).not.toHaveProperty('signed_url_cache_max_age_sec');
    for (const [, backend] of backendServices.filter(([, b]) => b.name !== storefront?.name)) {
      expect(backend.enable_cdn).toBe(false);
      expect(backend.cdn_policy).toBeUndefined();
    }
    const assets = onlyResource(synth, 'google_compute_backend_bucket');
    expect(assets).toMatchObject({ bucket_name: names.bucket.assets, enable_cdn: true, cdn_policy: { cache_mode: 'CACHE_ALL_STATIC' } });
    const cdn = assets.cdn_policy as Attributes;
    expect(cdn.default_ttl).toBeGreaterThanOrEqual(86400);
    expect(cdn.max_ttl).toBeGreaterThanOrEqual(cdn.default_ttl as number);
  });

  it('lets Cloud CDN read the private assets bucket as its fill agent, never the public', () => {
    const readers = resourcesOf(synth, 'google_storage_bucket_iam_member').map(([, r]) => r);
    expect(readers).toEqual([
      expect.objectContaining({
        bucket: names.bucket.assets,
        role: 'roles/storage.objectViewer',
        member: 'serviceAccount:service-${data.google_project.project.number}@cloud-cdn-fill.iam.gserviceaccount.com',
      }),
    ]);
    expect(resourceTypes(synth).filter((t) => /_iam_(binding|policy)$/.test(t))).toEqual([]);
  });

  it('routes assets to the bucket, activity paths to activity and the rest to the storefront', () => {
    const map = synth.resource?.google_compute_url_map?.['url-map'];
    const storefront = ref('google_compute_backend_service', 'storefront-backend');
    expect(map?.default_service).toBe(storefront);
    expect(map?.host_rule).toEqual([{ hosts: [env.domain], path_matcher: 'storefront' }]);
    const [matcher] = map?.path_matcher as Attributes[];
    expect(matcher?.default_service).toBe(storefront);
    const target = (path: string) => (matcher?.path_rule as Attributes[]).find((r) => (r.paths as string[]).includes(path))?.service;
    expect(target('/assets/*')).toBe(ref('google_compute_backend_bucket', 'assets-backend'));
    for (const path of ['/v1/activity', '/v1/activity/*', '/beacon', '/beacon/*']) expect(target(path)).toBe(ref('google_compute_backend_service', 'activity-backend'));
  });

  it('applies the OWASP rule sets, a per-IP rate limit from config and adaptive protection', () => {
    const policy = onlyResource(synth, 'google_compute_security_policy');
    expect(policy).toMatchObject({ name: names.edge.armorPolicy, adaptive_protection_config: { layer_7_ddos_defense_config: { enable: true } } });
    const rules = rulesOf(synth);
    for (const ruleSet of WAF_RULE_SETS) {
      expect(rules.some((r) => String((r.match as { expr?: { expression?: string } }).expr?.expression).startsWith(`evaluatePreconfiguredWaf('${ruleSet}'`))).toBe(true);
    }
    for (const prefix of ['sqli', 'xss', 'lfi', 'rfi', 'rce', 'scannerdetection', 'protocolattack', 'sessionfixation']) {
      expect(WAF_RULE_SETS.some((r) => r.startsWith(`${prefix}-v33-stable`))).toBe(true);
    }
    const throttle = rules.find((r) => r.action === 'throttle');
    expect(throttle?.rate_limit_options).toEqual({
      enforce_on_key: 'IP',
      conform_action: 'allow',
      exceed_action: 'deny(429)',
      rate_limit_threshold: { count: env.edge.rateLimitPerMinute, interval_sec: 60 },
    });
    // A conforming throttle allows the request outright, so every WAF rule must come first.
    for (const waf of rules.filter((r) => String(r.action).startsWith('deny'))) expect(waf.priority).toBeLessThan(throttle?.priority as number);
    const fallback = rules.find((r) => r.priority === DEFAULT_RULE_PRIORITY);
    expect(fallback).toMatchObject({ action: 'allow' });
    expect(fallback).not.toHaveProperty('preview');
  });

  it('keeps every Armor rule in preview while the config says preview', () => {
    expect(env.edge.armorMode).toBe('preview');
    for (const rule of rulesOf(synth).filter((r) => r.priority !== DEFAULT_RULE_PRIORITY)) expect(rule.preview).toBe(true);
  });

  it('matches the snapshot', () => {
    expect(synth).toMatchSnapshot();
  });
});

describe('edge stack with Armor enforced', () => {
  const env: Environment = { ...environment('prod'), edge: { armorMode: 'enforce', rateLimitPerMinute: 250 } };
  const synth = synthesize(EdgeStack, env);

  it('enforces every rule and takes the rate limit from config', () => {
    const rules = rulesOf(synth).filter((r) => r.priority !== DEFAULT_RULE_PRIORITY);
    expect(rules.length).toBe(WAF_RULE_SETS.length + 1);
    for (const rule of rules) expect(rule.preview).toBe(false);
    expect(rules.find((r) => r.action === 'throttle')?.rate_limit_options).toMatchObject({ rate_limit_threshold: { count: 250, interval_sec: 60 } });
  });
});
