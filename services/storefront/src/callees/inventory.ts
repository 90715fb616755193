import { availabilityResultSchema } from '@shop/contracts';
import { ServiceCallError, ServiceUnavailableError, type ProblemBody, type ServiceClient, type ServiceCredentials } from '@shop/kit';
import { sellableTotal } from '../domain/stock';
import type { StockTotal } from '../live/live-stock';


export interface InventoryApiOptions {
  client: ServiceClient;
  baseUrl: string;
  credentials: ServiceCredentials;
  /** Until the stream's response headers arrive. */
  connectTimeoutMs: number;
}

/** Inventory as the storefront uses it: sellable totals per SKU, and the live level stream. */
export class InventoryApi {
  constructor(private readonly options: InventoryApiOptions) {}

  async availability(skus: string[]): Promise<StockTotal[]> {
    if (skus.length === 0) return [];
    const result = await this.options.client.get('/v1/availability', availabilityResultSchema, { query: { skus: skus.join(',') } });
    return result.items.map((item) => ({ sku: item.sku, available: sellableTotal(item.warehouses.map((w) => w.available)) }));
  }

  /**
   * `GET /v1/stream/levels?skus=` with the storefront's service token, as text chunks. The kit's
   * ServiceClient reads whole answers, so the stream is opened here with fetch.
   */
  async openLevels(skus: string[], signal: AbortSignal): Promise<AsyncIterable<string>> {
    const url = new URL('/v1/stream/levels', this.options.baseUrl);
    url.searchParams.set('skus', skus.join(','));
    const token = await this.options.credentials.token('inventory');
    const connect = new AbortController();
    const abort = () => connect.abort();
    signal.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(abort, this.options.connectTimeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: connect.signal });
    } catch (err) {
      signal.removeEventListener('abort', abort);
      throw new ServiceUnavailableError('inventory', (err as Error).message, !signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    if (response.status !== 200 || !response.body) {
      signal.removeEventListener('abort', abort);
      const text = await response.text().catch(() => '');
      throw new ServiceCallError('inventory', response.status, problemOf(text));
    }
    return response.body.pipeThrough(new TextDecoderStream());
  }
}

function problemOf(text: string): ProblemBody | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'type' in parsed && 'title' in parsed && 'status' in parsed ? (parsed as ProblemBody) : null;
  } catch {
    return null;
  }
}
