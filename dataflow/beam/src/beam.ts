import { withName, type PCollection, type PTransform, type PValue } from 'apache-beam';

/**
 * Applies a named transform. Beam types PCollection.apply's result as `any`; this gives it the
 * transform's output type, and the name keeps stage names unique and stable across launches.
 */
export function applyNamed<I, O extends PValue<unknown>>(input: PCollection<I>, name: string, transform: PTransform<PCollection<I>, O>): O {
  return input.apply(withName(name, transform));
}
