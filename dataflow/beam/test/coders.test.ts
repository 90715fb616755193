import { DEFAULT_MAX_FUTURE_MS, inventory, parseMessage, productActivity, sales, type FixedWindowTable, type JobEvent } from '@shop/dataflow';
// Beam's modules import each other in a cycle that only its index loads in order.
import 'apache-beam';
import { GeneralObjectCoder } from 'apache-beam/coders/js_coders';
import { decodeFromBase64, encodeToBase64 } from 'apache-beam/worker/operators';
import { scenario } from './support/scenario';

/*
 * On Dataflow the combine is lifted: partial accumulators are built on several workers, encoded
 * with the accumulator coder (Beam's GeneralObjectCoder around the per-field accumulator list of
 * groupBy(...).combining(...)), shuffled, decoded and merged. The direct runner combines in one
 * place without a coder, so this checks the shared accumulators survive the coder.
 */
function events(): JobEvent[] {
  return scenario().messages.flatMap((message) => {
    const parsed = parseMessage(message, { maxFutureMs: DEFAULT_MAX_FUTURE_MS });
    return parsed.ok ? [parsed.event] : [];
  });
}

function inputsByKey<I, A, O>(table: FixedWindowTable<I, A, O>): Map<string, I[]> {
  const byKey = new Map<string, I[]>();
  for (const input of events().flatMap((e) => table.inputsOf(e))) byKey.set(table.keyOf(input), [...(byKey.get(table.keyOf(input)) ?? []), input]);
  return byKey;
}

/** Combines in three parts that cross Beam's accumulator coder before they merge. */
function liftedCombine<I, A, O>(table: FixedWindowTable<I, A, O>, inputs: I[]): O {
  const fn = table.combineFn;
  const coder = new GeneralObjectCoder<A[]>();
  const parts = [0, 1, 2].map((part) => inputs.filter((_, i) => i % 3 === part).reduce((acc, input) => fn.addInput(acc, input), fn.createAccumulator()));
  const shuffled = parts.map((acc) => decodeFromBase64(encodeToBase64([acc], coder), coder)).map(([acc]) => {
    if (acc === undefined) throw new Error('an accumulator list lost its accumulator');
    return acc;
  });
  return fn.extractOutput(fn.mergeAccumulators(shuffled));
}

const inOnePlace = <I, A, O>(table: FixedWindowTable<I, A, O>, inputs: I[]): O =>
  table.combineFn.extractOutput(inputs.reduce((acc, input) => table.combineFn.addInput(acc, input), table.combineFn.createAccumulator()));

function expectLiftedCombineToAgree<I, A, O>(table: FixedWindowTable<I, A, O>): void {
  const byKey = inputsByKey(table);
  expect(byKey.size).toBeGreaterThan(1);
  for (const inputs of byKey.values()) expect(liftedCombine(table, inputs)).toEqual(inOnePlace(table, inputs));
}

test('product_activity_minute accumulators survive the accumulator coder of a lifted combine', () => expectLiftedCombineToAgree(productActivity));
test('inventory_minute accumulators survive the accumulator coder of a lifted combine', () => expectLiftedCombineToAgree(inventory));
test('sales_minute accumulators survive the accumulator coder of a lifted combine', () => expectLiftedCombineToAgree(sales));

test('a bare number accumulator over 2^31 does not survive the coder, so accumulators must be objects', () => {
  const coder = new GeneralObjectCoder<number[]>();
  expect(decodeFromBase64(encodeToBase64([3_000_000_000], coder), coder)).not.toEqual([3_000_000_000]);
  const objects = new GeneralObjectCoder<{ minor: number }[]>();
  expect(decodeFromBase64(encodeToBase64([{ minor: 3_000_000_000 }], objects), objects)).toEqual([{ minor: 3_000_000_000 }]);
});
