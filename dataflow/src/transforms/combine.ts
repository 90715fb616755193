/**
 * A combine function in Beam's shape (apache-beam's CombineFn): the same object serves Beam's
 * `groupBy(...).combining(...)` and the Node runner. Accumulators are plain JSON data and every
 * function is deterministic, so both runners reach identical values in any order of inputs.
 */
export interface CombineFn<I, A, O> {
  createAccumulator: () => A;
  addInput: (accumulator: A, input: I) => A;
  mergeAccumulators: (accumulators: Iterable<A>) => A;
  extractOutput: (accumulator: A) => O;
}

/** Index of `value` in a sorted list, or where it would go (binary search). */
function sortedIndex(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as string) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A sorted distinct list with `value` in it; the same list when it was there already. */
export function withSorted(sorted: readonly string[], value: string): readonly string[] {
  const at = sortedIndex(sorted, value);
  if (sorted[at] === value) return sorted;
  return [...sorted.slice(0, at), value, ...sorted.slice(at)];
}

/** The sorted distinct union of sorted distinct lists (a k-way merge, linear in their sizes). */
export function sortedUnion(lists: Iterable<readonly string[]>): string[] {
  let merged: string[] = [];
  for (const list of lists) {
    const next: string[] = [];
    let i = 0;
    let j = 0;
    while (i < merged.length || j < list.length) {
      const a = merged[i];
      const b = list[j];
      if (b === undefined || (a !== undefined && a < b)) {
        next.push(a as string);
        i++;
      } else if (a === undefined || b < a) {
        next.push(b);
        j++;
      } else {
        next.push(a);
        i++;
        j++;
      }
    }
    merged = next;
  }
  return merged;
}

/** Counts its inputs. */
export const countFn: CombineFn<unknown, number, number> = {
  createAccumulator: () => 0,
  addInput: (count) => count + 1,
  mergeAccumulators: (counts) => {
    let total = 0;
    for (const c of counts) total += c;
    return total;
  },
  extractOutput: (count) => count,
};
