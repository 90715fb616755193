import { ConfigError, loadEnvironment } from '../src/config';
import { ENVIRONMENTS } from '../src/environments';

const messageOf = (input: unknown): string => {
  try {
    loadEnvironment(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected the config to be rejected');
};

describe('infrastructure config', () => {
  it('accepts every committed environment', () => {
    for (const input of Object.values(ENVIRONMENTS)) expect(loadEnvironment(input).env).toBe(input.env);
  });

  it('names a missing project', () => {
    const { project: _project, ...rest } = ENVIRONMENTS.dev;
    expect(messageOf(rest)).toMatch(/Invalid infrastructure config for dev:\n {2}project: /);
  });

  it('names an unknown region and lists the known ones', () => {
    const message = messageOf({ ...ENVIRONMENTS.dev, region: 'moon-central1' });
    expect(message).toContain('region: unknown region "moon-central1"');
    expect(message).toContain('europe-west1');
  });

  it('refuses prod without deletion protection', () => {
    expect(messageOf({ ...ENVIRONMENTS.prod, deletionProtection: false })).toContain('deletionProtection: prod must keep deletion protection on');
  });

  it('refuses prod without a highly available database', () => {
    expect(messageOf({ ...ENVIRONMENTS.prod, database: { ...ENVIRONMENTS.prod.database, highAvailability: false } })).toContain('database.highAvailability: prod must run Cloud SQL in regional HA');
  });

  it('names zones outside the region and inverted node limits, all at once', () => {
    const message = messageOf({
      ...ENVIRONMENTS.dev,
      zones: ['europe-west1-b', 'us-east1-c'],
      clusters: { ...ENVIRONMENTS.dev.clusters, backend: { ...ENVIRONMENTS.dev.clusters.backend, minNodes: 5, maxNodes: 2 } },
    });
    expect(message).toContain('zones.1: zone us-east1-c is not in region europe-west1');
    expect(message).toContain('clusters.backend.maxNodes: must be at least minNodes');
  });

  it('names malformed values with their path', () => {
    const message = messageOf({ ...ENVIRONMENTS.dev, network: { ...ENVIRONMENTS.dev.network, jobsCidr: '10.0.0.0' }, alerting: { ...ENVIRONMENTS.dev.alerting, emails: ['not-an-email'] } });
    expect(message).toContain('network.jobsCidr: must be an IPv4 CIDR');
    expect(message).toContain('alerting.emails.0:');
  });
});
