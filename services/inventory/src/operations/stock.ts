import { problems } from '@shop/kit';
import { ChangeSet } from '../domain/changes';
import { lockLevels } from '../store/levels';
import { metaFor, mutate, requireWarehouses, type Actor, type Core } from './core';
import { snapshot, type Level, type Movement } from '../domain/stock';

export const ADJUST_REASONS = ['cycle_count', 'damage', 'shrinkage', 'return', 'correction'] as const;
export type AdjustReason = (typeof ADJUST_REASONS)[number];

export const BUCKETS = ['on_hand', 'quality_hold', 'damaged'] as const;
export type Bucket = (typeof BUCKETS)[number];

const BUCKET_FIELD = { on_hand: 'onHand', quality_hold: 'qualityHold', damaged: 'damaged' } as const;

export interface StockResult {
  movementId: string;
  warehouseId: string;
  sku: string;
  level: ReturnType<typeof snapshot>;
}

async function single(core: Core, who: Actor, warehouseId: string, sku: string, build: (level: Level) => Movement): Promise<StockResult> {
  const meta = metaFor(who);
  return mutate(core, async (trx) => {
    await requireWarehouses(trx, [warehouseId]);
    const changes = new ChangeSet(await lockLevels(trx, [{ sku, warehouseId }], true));
    changes.apply([build(changes.level(sku, warehouseId))], meta);
    return { changes, result: { movementId: meta.movementId, warehouseId, sku, level: snapshot(changes.level(sku, warehouseId)) } };
  }, who.operationKey);
}

export interface ReceiveInput {
  warehouseId: string;
  sku: string;
  quantity: number;
  reference?: string | undefined;
  /** Received goods go to quality hold (not sellable) until inspected. */
  qualityHold?: boolean | undefined;
}

export function receive(core: Core, who: Actor, input: ReceiveInput): Promise<StockResult> {
  return single(core, who, input.warehouseId, input.sku, () => ({
    sku: input.sku,
    warehouseId: input.warehouseId,
    kind: 'receive',
    delta: input.qualityHold ? { qualityHold: input.quantity } : { onHand: input.quantity },
    reason: input.qualityHold ? 'received_to_quality_hold' : 'received',
    reference: input.reference ?? null,
  }));
}

export interface AdjustInput {
  warehouseId: string;
  sku: string;
  /** Signed change of on-hand stock. */
  delta: number;
  reason: AdjustReason;
  reference?: string | undefined;
}

/** Damage moves units from on hand to the damaged bucket; other reasons change on hand only. */
export function adjust(core: Core, who: Actor, input: AdjustInput): Promise<StockResult> {
  if ((input.reason === 'damage' || input.reason === 'shrinkage') && input.delta >= 0) {
    throw problems.validation([{ field: 'body.delta', message: `must be negative for reason ${input.reason}` }]);
  }
  if (input.reason === 'return' && input.delta <= 0) {
    throw problems.validation([{ field: 'body.delta', message: 'must be positive for reason return' }]);
  }
  return single(core, who, input.warehouseId, input.sku, () => ({
    sku: input.sku,
    warehouseId: input.warehouseId,
    kind: 'adjust',
    delta: input.reason === 'damage' ? { onHand: input.delta, damaged: -input.delta } : { onHand: input.delta },
    reason: input.reason,
    reference: input.reference ?? null,
  }));
}

export interface CountInput {
  warehouseId: string;
  sku: string;
  /** The on-hand quantity the counter saw before counting; the count applies only if it still holds. */
  expectedOnHand: number | null;
  countedOnHand: number;
  reference?: string | undefined;
}

export function count(core: Core, who: Actor, input: CountInput): Promise<StockResult> {
  return single(core, who, input.warehouseId, input.sku, (level) => {
    if (input.expectedOnHand !== null && level.onHand !== input.expectedOnHand) {
      throw problems.conflict('count-conflict', 'Stock changed since it was read', `on hand is ${level.onHand}, not the expected ${input.expectedOnHand}`, {
        currentOnHand: level.onHand,
      });
    }
    return {
      sku: input.sku,
      warehouseId: input.warehouseId,
      kind: 'count',
      delta: { onHand: input.countedOnHand - level.onHand },
      reason: 'cycle_count',
      reference: input.reference ?? null,
    };
  });
}

export interface MoveInput {
  warehouseId: string;
  sku: string;
  from: Bucket;
  /** 'disposed' writes the units off. */
  to: Bucket | 'disposed';
  quantity: number;
  reference?: string | undefined;
}

/** Moves units between sellable and non-sellable buckets, e.g. quality hold released to stock. */
export function move(core: Core, who: Actor, input: MoveInput): Promise<StockResult> {
  if (input.from === input.to) throw problems.validation([{ field: 'body.to', message: 'must differ from body.from' }]);
  return single(core, who, input.warehouseId, input.sku, () => {
    const delta: Movement['delta'] = { [BUCKET_FIELD[input.from]]: -input.quantity };
    if (input.to !== 'disposed') delta[BUCKET_FIELD[input.to]] = input.quantity;
    return { sku: input.sku, warehouseId: input.warehouseId, kind: 'move', delta, reason: `${input.from}_to_${input.to}`, reference: input.reference ?? null };
  });
}

export interface SettingsInput {
  warehouseId: string;
  sku: string;
  safetyStock?: number | undefined;
  reorderPoint?: number | null | undefined;
}

export function changeSettings(core: Core, who: Actor, input: SettingsInput): Promise<StockResult> {
  const settings: Movement['settings'] = {};
  if (input.safetyStock !== undefined) settings.safetyStock = input.safetyStock;
  if (input.reorderPoint !== undefined) settings.reorderPoint = input.reorderPoint;
  return single(core, who, input.warehouseId, input.sku, () => ({ sku: input.sku, warehouseId: input.warehouseId, kind: 'settings', delta: {}, settings, reason: 'settings' }));
}
