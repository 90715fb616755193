import { ObjectNotFoundError, type ObjectStore } from '@shop/kit';
import type { JobEvent } from '../transforms';
import type { ShardState } from './state';

/** One committed cycle, enough to redo it: the events applied, under which watermark, and how it fired. */
export interface CycleDelta {
  seq: number;
  /** Watermark the cycle's events were applied under. */
  appliedUnderMs: number | null;
  allowedLatenessMs: number;
  events: JobEvent[];
  invalid: number;
  /** Watermark and emission time of the cycle's firing. */
  watermarkMs: number | null;
  emittedAtMs: number;
}

export interface Checkpoint {
  snapshot: ShardState | null;
  /** Cycles after the snapshot, in order. */
  deltas: CycleDelta[];
}

export interface CheckpointStore {
  load(): Promise<Checkpoint>;
  /** Makes the cycle durable: its delta, or a full snapshot of the state after it. */
  commit(seq: number, entry: { snapshot: string } | { delta: string }): Promise<void>;
  /** Whether cycle `seq` must be a snapshot, so the deltas after the last one fit their slots. */
  needsSnapshot(seq: number): boolean;
}

interface Head {
  format: 1;
  snapshot: string;
  seq: number;
}

/**
 * Checkpoints of one shard in a folder of the object store (Cloud Storage or a local folder):
 * `head.json` names the current snapshot, and each cycle after it is a delta in one of
 * `snapshotEvery` reused slots, so the folder holds a bounded number of objects and no object
 * is written more than about once per cycle. A snapshot goes to the slot the head does not
 * name before the head moves, so a crash at any point leaves a consistent checkpoint.
 */
export function createCheckpointStore(objects: ObjectStore, folder: string, snapshotEvery: number): CheckpointStore {
  if (!Number.isInteger(snapshotEvery) || snapshotEvery < 1) throw new Error('snapshotEvery must be a positive integer');
  const uri = (name: string): string => `${folder.replace(/\/$/, '')}/${name}`;
  let head: Head | null = null;

  const readJson = async <T>(name: string): Promise<T | null> => {
    try {
      return JSON.parse((await objects.read(uri(name))).toString('utf8')) as T;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return null;
      throw err;
    }
  };
  const slot = (seq: number): string => `delta-${seq % snapshotEvery}.json`;

  return {
    async load() {
      head = await readJson<Head>('head.json');
      if (head !== null && head.format !== 1) throw new Error(`checkpoint ${uri('head.json')} has unknown format ${String(head.format)}`);
      const snapshot = head ? await readJson<ShardState>(head.snapshot) : null;
      if (head && !snapshot) throw new Error(`checkpoint ${uri('head.json')} names ${head.snapshot}, which is missing`);
      const deltas: CycleDelta[] = [];
      const after = head?.seq ?? 0;
      for (let seq = after + 1; seq <= after + snapshotEvery; seq++) {
        const delta = await readJson<CycleDelta>(slot(seq));
        // A slot still holding an older lap's delta ends the chain.
        if (!delta || delta.seq !== seq) break;
        deltas.push(delta);
      }
      return { snapshot, deltas };
    },

    needsSnapshot(seq) {
      return seq - (head?.seq ?? 0) >= snapshotEvery;
    },

    async commit(seq, entry) {
      if ('delta' in entry) {
        await objects.write(uri(slot(seq)), entry.delta, 'application/json');
        return;
      }
      const name = head?.snapshot === 'snapshot-a.json' ? 'snapshot-b.json' : 'snapshot-a.json';
      await objects.write(uri(name), entry.snapshot, 'application/json');
      const next: Head = { format: 1, snapshot: name, seq };
      await objects.write(uri('head.json'), JSON.stringify(next), 'application/json');
      head = next;
    },
  };
}
