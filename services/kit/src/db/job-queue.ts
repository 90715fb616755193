import type { Knex } from 'knex';
import type { Logger } from '../logger';

/** The columns a job table has for the queue: id, status, created_at, started_at, finished_at, failure. */
export interface QueuedJob {
  id: string;
}

export interface JobQueueOptions<J extends QueuedJob> {
  db: Knex;
  /** The table of jobs, e.g. import_jobs. */
  table: string;
  logger: Logger;
  /** A job running longer than this on a stopped instance is taken over by another. */
  staleAfterSeconds: number;
  /**
   * Does the job's work. Resolves 'done' when finished, 'requeued' when it gave the job back
   * (the queue is stopping); throwing fails the job with the error's message.
   */
  process(job: J, queue: { readonly stopping: boolean; finish(status: 'succeeded' | 'failed', failure: string | null): Promise<void> }): Promise<'done' | 'requeued'>;
}

/**
 * Background jobs kept in a Postgres table, one at a time per instance: queued jobs are claimed
 * with SKIP LOCKED (so instances share them), a job a dead instance left running is requeued once
 * it is stale, and a job the queue gives back on stop is picked up again by whoever runs next.
 */
export class JobQueue<J extends QueuedJob> {
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: JobQueueOptions<J>) {}

  /** Starts working through queued jobs unless already doing so. */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain()
      .catch((err: unknown) => this.options.logger.error({ err, table: this.options.table }, 'job queue failed'))
      .finally(() => {
        this.running = null;
      });
  }

  /** Lets the job in progress give itself back (or finish) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    const { db, table } = this.options;
    await db.raw(`update ?? set status = 'queued' where status = 'running' and started_at < now() - make_interval(secs => ?)`, [table, this.options.staleAfterSeconds]);
    for (;;) {
      if (this.stopped) return;
      const claimed = await db.raw<{ rows: J[] }>(
        `update ?? set status = 'running', started_at = now()
          where id = (select id from ?? where status = 'queued' order by created_at limit 1 for update skip locked)
          returning *`,
        [table, table],
      );
      const job = claimed.rows[0];
      if (!job) return;
      const finish = (status: 'succeeded' | 'failed', failure: string | null) => db(table).where({ id: job.id }).update({ status, failure, finished_at: db.fn.now() }).then(() => undefined);
      const isStopping = () => this.stopped;
      const control = {
        get stopping(): boolean {
          return isStopping();
        },
        finish,
      };
      try {
        const outcome = await this.options.process(job, control);
        if (outcome === 'requeued') await db(table).where({ id: job.id }).update({ status: 'queued' });
      } catch (err) {
        this.options.logger.error({ err, table, job: job.id }, 'job failed');
        await finish('failed', `stopped: ${(err as Error).message}`);
      }
    }
  }
}
