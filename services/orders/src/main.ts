import { googleIdTokenCredentials } from '@shop/kit';
import { bootOrders } from './boot';

/** Production entry point: calls inventory with the workload's Google ID tokens. */
bootOrders(() => googleIdTokenCredentials());
