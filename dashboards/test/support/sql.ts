/**
 * A small reader of the views' BigQuery SQL: the tables they reference, the bare column names they
 * use and the columns their final SELECT returns. It knows only the SQL the views use and says so
 * (throws) when it meets something else.
 */
export interface TableRef {
  project: string;
  dataset: string;
  name: string;
}

const REF = /`([^`]*)`/g;

/** Every backquoted `project.dataset.table` reference, in order of appearance. */
export function tableRefs(sql: string): TableRef[] {
  return [...sql.matchAll(REF)].map((m) => {
    const parts = (m[1] ?? '').split('.');
    const [project, dataset, name] = parts;
    if (parts.length !== 3 || !project || !dataset || !name) throw new Error(`not a project.dataset.table reference: ${m[0]}`);
    return { project, dataset, name };
  });
}

const KEYWORDS = new Set(
  [
    'select', 'from', 'where', 'group', 'by', 'order', 'as', 'with', 'over', 'partition', 'desc', 'asc', 'and', 'or',
    'not', 'case', 'when', 'then', 'else', 'end', 'null', 'true', 'false', 'distinct', 'is', 'in', 'hour', 'day',
    'minute', 'having', 'limit', 'join', 'on', 'left', 'inner', 'union', 'all',
  ],
);

/** Placeholder a backquoted reference becomes in the token stream. */
const REF_TOKEN = '@ref';

/** Identifiers, numbers, operators and punctuation, after dropping comments, strings and references. */
export function tokens(sql: string): string[] {
  const stripped = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^'\\]|\\.)*'/g, " '' ")
    .replace(REF, ` ${REF_TOKEN} `);
  return stripped.match(/@ref|''|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|<=|>=|<>|!=|[(),.*=<>+\-/;]/g) ?? [];
}

const isIdentifier = (t: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) && !KEYWORDS.has(t.toLowerCase());
const is = (t: string | undefined, keyword: string): boolean => t !== undefined && t.toLowerCase() === keyword;

export interface ColumnUse {
  /** Bare names used as values: in SELECT lists, GROUP BY, WHERE, PARTITION BY, ORDER BY. */
  references: string[];
  /** Names the query defines itself: column aliases (`AS x`), relation aliases and CTE names. */
  defined: Set<string>;
  /** Relations read by bare name (`FROM daily`): must be CTEs of the same query. */
  relations: string[];
}

export function columnUse(sql: string): ColumnUse {
  const ts = tokens(sql);
  const references: string[] = [];
  const defined = new Set<string>();
  const relations: string[] = [];
  ts.forEach((t, i) => {
    const prev = ts[i - 1];
    const next = ts[i + 1];
    if (!isIdentifier(t)) return;
    if (is(prev, 'as')) defined.add(t);
    else if (next === '(') return; // a function, or a CTE name followed by AS (
    else if (is(next, 'as') && ts[i + 2] === '(') defined.add(t); // CTE name
    else if (is(prev, 'from') || is(prev, 'join')) relations.push(t);
    else if (next === '.') return; // a qualifier such as t.column: the column after the dot is checked
    else references.push(t);
  });
  return { references, defined, relations };
}

/** Splits tokens at commas outside parentheses. */
function splitTopLevel(ts: readonly string[]): string[][] {
  const items: string[][] = [[]];
  let depth = 0;
  for (const t of ts) {
    if (t === '(') depth++;
    if (t === ')') depth--;
    if (t === ',' && depth === 0) items.push([]);
    else items[items.length - 1]?.push(t);
  }
  return items;
}

/** Names of the columns the query's outermost SELECT returns, in order. */
export function outputColumns(sql: string): string[] {
  const ts = tokens(sql);
  let depth = 0;
  let select = -1;
  let from = -1;
  ts.forEach((t, i) => {
    if (t === '(') depth++;
    else if (t === ')') depth--;
    else if (depth === 0 && is(t, 'select')) {
      select = i;
      from = -1;
    } else if (depth === 0 && is(t, 'from') && from === -1) from = i;
  });
  if (select === -1 || from === -1) throw new Error('no top-level SELECT ... FROM');
  return splitTopLevel(ts.slice(select + 1, from)).map((item) => {
    const last = item[item.length - 1];
    if (last === undefined || last === '*') throw new Error(`final SELECT must name its columns, found ${item.join(' ') || 'nothing'}`);
    const named = item.length === 1 || is(item[item.length - 2], 'as') || (item.length === 3 && item[1] === '.');
    if (!named || !isIdentifier(last)) throw new Error(`unnamed output column: ${item.join(' ')}`);
    return last;
  });
}
