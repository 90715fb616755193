import { bootOrders } from '../boot';

/**
 * The orders service as the benchmark runs it: production wiring, but inventory is called with a
 * development token the benchmark signed (BENCH_SERVICE_TOKEN), as no metadata server is at hand.
 */
const token = process.env.BENCH_SERVICE_TOKEN;
if (!token) {
  console.error('BENCH_SERVICE_TOKEN is required');
  process.exit(1);
}
bootOrders(() => ({ token: () => Promise.resolve(token) }));
