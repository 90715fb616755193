import type { CategoryRef, CategoryView } from '@shop/contracts';

export interface CategoryRow {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  position: number;
}

const byPosition = (a: CategoryRow, b: CategoryRow): number => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : 1);

const refOf = (c: CategoryRow): CategoryRef => ({ id: c.id, slug: c.slug, name: c.name });

/** The tree depth first (siblings by position, then name), each with its path from the root. */
export function categoryViews(rows: readonly CategoryRow[]): CategoryView[] {
  const children = new Map<string | null, CategoryRow[]>();
  for (const row of rows) {
    const siblings = children.get(row.parentId) ?? [];
    siblings.push(row);
    children.set(row.parentId, siblings);
  }
  const views: CategoryView[] = [];
  const visit = (parentId: string | null, path: CategoryRef[]) => {
    for (const row of [...(children.get(parentId) ?? [])].sort(byPosition)) {
      const own = [...path, refOf(row)];
      views.push({ ...refOf(row), parentId: row.parentId, path: own, position: row.position });
      visit(row.id, own);
    }
  };
  visit(null, []);
  return views;
}

/** The category and its ancestors, root first. */
export function pathOf(rows: readonly CategoryRow[], id: string): CategoryRef[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const path: CategoryRef[] = [];
  const seen = new Set<string>();
  for (let current = byId.get(id); current && !seen.has(current.id); current = current.parentId ? byId.get(current.parentId) : undefined) {
    seen.add(current.id);
    path.unshift(refOf(current));
  }
  return path;
}

/** Whether putting `id` under `parentId` would make it its own ancestor. */
export function wouldCycle(rows: readonly CategoryRow[], id: string, parentId: string | null): boolean {
  if (parentId === null) return false;
  return pathOf(rows, parentId).some((c) => c.id === id);
}

/** The category and every category below it. */
export function subtreeIds(rows: readonly CategoryRow[], id: string): string[] {
  const ids = [id];
  for (let i = 0; i < ids.length; i++) for (const row of rows) if (row.parentId === ids[i] && !ids.includes(row.id)) ids.push(row.id);
  return ids;
}
