// Beam's modules import each other in a cycle that only its index loads in order.
import { Root, create } from 'apache-beam';
import { Pipeline } from 'apache-beam/internal/pipeline';
import { SERIALIZED_JS_COMBINEFN_INFO, SERIALIZED_JS_DOFN_INFO } from 'apache-beam/internal/urns';
import { CombinePayload, ParDoPayload } from 'apache-beam/proto/beam_runner_api';
import { parDo } from 'apache-beam/transforms';
import { combinePerKey } from 'apache-beam/transforms/internal';
import { getRegisteredModules } from 'apache-beam/serialization';
import { analyticsPipeline } from '@shop/beam-pipeline';
import { scenario } from './support/scenario';

/** Every DoFn and CombineFn the pipeline ships to workers, as serialized into its proto. */
function shippedFunctions(): { transform: string; urn: string; payload: Uint8Array }[] {
  const pipeline = new Pipeline();
  analyticsPipeline(new Root(pipeline).apply(create(scenario().messages)));
  const shipped: { transform: string; urn: string; payload: Uint8Array }[] = [];
  for (const transform of Object.values(pipeline.getProto().components?.transforms ?? {})) {
    const spec = transform.spec;
    if (!spec) continue;
    if (spec.urn === parDo.urn) {
      const doFn = ParDoPayload.fromBinary(spec.payload).doFn;
      if (doFn) shipped.push({ transform: transform.uniqueName, urn: doFn.urn, payload: doFn.payload });
    } else if (spec.urn === combinePerKey.urn) {
      const combineFn = CombinePayload.fromBinary(spec.payload).combineFn;
      if (combineFn) shipped.push({ transform: transform.uniqueName, urn: combineFn.urn, payload: combineFn.payload });
    }
  }
  return shipped;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/*
 * A Beam worker starts with none of the launcher's objects: it imports the registered modules and
 * rebuilds each function from the proto. A fresh module registry plays that worker.
 */
test('a worker that imports the registered modules rebuilds every DoFn and CombineFn from the shared code', async () => {
  const shipped = shippedFunctions();
  const modules = getRegisteredModules();
  expect(modules).toEqual(expect.arrayContaining(['@shop/dataflow', '@shop/beam-pipeline']));
  expect(shipped.filter((f) => f.urn === SERIALIZED_JS_DOFN_INFO).length).toBeGreaterThan(10);
  expect(shipped.filter((f) => f.urn === SERIALIZED_JS_COMBINEFN_INFO)).toHaveLength(3);

  await jest.isolateModulesAsync(async () => {
    await import('apache-beam');
    for (const name of modules) await import(name);
    const { deserializeFn } = await import('apache-beam/internal/serialize');
    const { registeredObjects } = await import('apache-beam/serialization');
    const workerBuiltins = new Set(registeredObjects.map((r) => r.builtin));
    const dataflow = await import('@shop/dataflow');

    for (const fn of shipped.filter((f) => f.urn === SERIALIZED_JS_DOFN_INFO)) {
      const { doFn } = deserializeFn(fn.payload) as { doFn: unknown };
      if (!isObject(doFn)) throw new Error(`${fn.transform} shipped no DoFn`);
      const prototype: unknown = Object.getPrototypeOf(doFn);
      // Ours are instances of registered classes: the worker's own, with the shared code behind them.
      if (prototype !== Object.prototype) expect({ transform: fn.transform, registered: workerBuiltins.has(prototype) }).toEqual({ transform: fn.transform, registered: true });
      if ('table' in doFn && isObject(doFn['table']) && 'combineFn' in doFn['table']) {
        expect([dataflow.productActivity, dataflow.inventory, dataflow.sales]).toContain(doFn['table']);
      }
    }
    for (const fn of shipped.filter((f) => f.urn === SERIALIZED_JS_COMBINEFN_INFO)) {
      const { combineFn } = deserializeFn(fn.payload) as { combineFn: { createAccumulator: () => unknown } };
      // groupBy(...).combining(...) wraps the table's CombineFn; its accumulator is a list of one.
      expect(combineFn.createAccumulator()).toEqual([expect.anything()]);
    }
  });
});
