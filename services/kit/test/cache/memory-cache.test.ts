import pino from 'pino';
import { MemoryCache } from '../../src/cache/memory-cache';
import { cacheContract } from './contract';

cacheContract('MemoryCache', async () => new MemoryCache({ logger: pino({ level: 'silent' }) }));

describe('MemoryCache', () => {
  it('keeps caches in different instances apart', async () => {
    const logger = pino({ level: 'silent' });
    const a = new MemoryCache({ logger });
    const b = new MemoryCache({ logger });
    await a.set('k', 'a', 60);
    expect(await b.get('k')).toBeNull();
    await Promise.all([a.close(), b.close()]);
  });
});
