import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createDevIssuer, createTokenVerifier, devServiceCredentials, parseTrustedWorkloads, type TokenVerifier } from '@shop/kit';

const ISSUER = 'https://identity.test/';
const GOOGLE = 'https://accounts.google.com';

async function googleLikeSigner() {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'g1', alg: 'RS256', use: 'sig' };
  const sign = (claims: Record<string, unknown>, audience = 'inventory') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'g1' }).setIssuer(GOOGLE).setAudience(audience).setIssuedAt().setExpirationTime('1h').sign(privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

describe('token verification with trusted workloads', () => {
  let verify: TokenVerifier;
  let google: Awaited<ReturnType<typeof googleLikeSigner>>;
  let staff: Awaited<ReturnType<typeof createDevIssuer>>;

  beforeAll(async () => {
    google = await googleLikeSigner();
    staff = await createDevIssuer(ISSUER, 'shop');
    verify = createTokenVerifier({
      jwks: staff.jwks,
      issuer: ISSUER,
      audience: 'shop',
      workloads: { jwks: google.jwks, issuer: GOOGLE, audience: 'inventory', accounts: { 'orders@p.iam.gserviceaccount.com': ['service'] } },
    });
  });

  it('gives a listed service account its roles over every warehouse', async () => {
    const token = await google.sign({ email: 'orders@p.iam.gserviceaccount.com', email_verified: true, sub: '1234' });
    await expect(verify(token)).resolves.toEqual({ subject: 'orders@p.iam.gserviceaccount.com', roles: ['service'], warehouses: ['*'] });
  });

  it('refuses other accounts, unverified emails and tokens for another audience', async () => {
    const stranger = await google.sign({ email: 'someone@p.iam.gserviceaccount.com', email_verified: true });
    await expect(verify(stranger)).rejects.toMatchObject({ status: 403 });
    const unverified = await google.sign({ email: 'orders@p.iam.gserviceaccount.com', email_verified: false });
    await expect(verify(unverified)).rejects.toMatchObject({ status: 403 });
    const elsewhere = await google.sign({ email: 'orders@p.iam.gserviceaccount.com', email_verified: true }, 'catalog');
    await expect(verify(elsewhere)).rejects.toMatchObject({ status: 401 });
  });

  it('still verifies staff tokens from the identity provider, and dev service credentials', async () => {
    const token = await staff.sign({ subject: 'ana', roles: ['operator'], warehouses: ['berlin-1'] });
    await expect(verify(token)).resolves.toEqual({ subject: 'ana', roles: ['operator'], warehouses: ['berlin-1'] });
    const credentials = devServiceCredentials(staff, 'storefront');
    const first = await credentials.token('inventory');
    expect(await credentials.token('inventory')).toBe(first);
    await expect(verify(first)).resolves.toEqual({ subject: 'storefront', roles: ['service'], warehouses: ['*'] });
    await expect(verify('not-a-jwt')).rejects.toMatchObject({ status: 401 });
  });
});

describe('parseTrustedWorkloads', () => {
  it('reads email=role+role lists and names a bad entry', () => {
    expect(parseTrustedWorkloads(' a@p.iam.gserviceaccount.com=service , b@p.iam.gserviceaccount.com=service+viewer ,')).toEqual({
      'a@p.iam.gserviceaccount.com': ['service'],
      'b@p.iam.gserviceaccount.com': ['service', 'viewer'],
    });
    expect(parseTrustedWorkloads('')).toEqual({});
    expect(() => parseTrustedWorkloads('a@b=Service')).toThrow(/"a@b=Service"/);
    expect(() => parseTrustedWorkloads('nobody=service')).toThrow(/not email=role/);
  });
});
