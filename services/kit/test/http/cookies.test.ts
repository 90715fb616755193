import { CookieSigner, parseCookies, serializeCookie } from '@shop/kit';

const signer = new CookieSigner('s'.repeat(32));

describe('signed cookies', () => {
  it('round-trips a value and refuses it under another name, another key or any change', () => {
    const signed = signer.sign('sid', 'shopper-1');
    expect(signer.verify('sid', signed)).toBe('shopper-1');
    expect(signer.verify('cart', signed)).toBeNull();
    expect(new CookieSigner('t'.repeat(32)).verify('sid', signed)).toBeNull();
    expect(signer.verify('sid', signed.replace('shopper-1', 'shopper-2'))).toBeNull();
    expect(signer.verify('sid', `${signed}x`)).toBeNull();
    expect(signer.verify('sid', signed.slice(0, -1))).toBeNull();
    for (const junk of [undefined, '', '.', 'shopper-1', '.abc', 'a.b.c']) expect(signer.verify('sid', junk)).toBeNull();
  });

  it('refuses short keys and values that would need encoding', () => {
    expect(() => new CookieSigner('short')).toThrow(/at least 32/);
    expect(() => signer.sign('sid', 'a;b')).toThrow();
    expect(() => signer.sign('sid', 'a.b')).toThrow();
  });
});

describe('parseCookies', () => {
  it('reads well-formed pairs and skips the rest without throwing', () => {
    const jar = parseCookies('sid=abc.def; junk; =novalue; cart="quoted"; bad name=1; sid=second; emoji=✓; ssn=x-y_z');
    expect(Object.fromEntries(jar)).toEqual({ sid: 'abc.def', cart: 'quoted', ssn: 'x-y_z' });
  });

  it('ignores a missing or oversized header', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies(`a=${'x'.repeat(9000)}`).size).toBe(0);
  });
});

it('serializes Set-Cookie with the flags asked for', () => {
  expect(serializeCookie('sid', 'v', { secure: true, maxAgeSeconds: 60 })).toBe('sid=v; Path=/; SameSite=Lax; Max-Age=60; HttpOnly; Secure');
  expect(serializeCookie('sid', 'v', { secure: false, httpOnly: false, sameSite: 'Strict', path: '/x' })).toBe('sid=v; Path=/x; SameSite=Strict');
});
