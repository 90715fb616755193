/**
 * Group commit: requests that arrive while a batch is being written wait and go together
 * in the next one, so a hot SKU costs one transaction per batch instead of one per request.
 */
export class Batcher<Req, Res> {
  private queue: Array<{ request: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private running = 0;

  constructor(
    private readonly run: (requests: Req[]) => Promise<Res[]>,
    private readonly options: { maxBatch: number; concurrency: number },
  ) {}

  submit(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running++;
      this.run(batch.map((b) => b.request)).then(
        (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
        (err: unknown) => batch.forEach((b) => b.reject(err)),
      ).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }
}
