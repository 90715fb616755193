import { WAREHOUSE_DATASET } from '@shop/contracts';
import { ANALYST_VIEWS } from './views';

/** A view in DuckDB's SQL, its relations written as "schema"."name" (the kit's DuckDbView). */
export interface LocalView {
  name: string;
  sql: string;
}

/** Placeholder project of the references the translation replaces; any valid project id does. */
const LOCAL_PROJECT = 'local-warehouse';

/** BigQuery constructs this translation does not know; a view using one must teach it first. */
const UNSUPPORTED = /\bQUALIFY\b|\bEXCEPT\s*\(|\bSAFE\.|\bIF\s*\(|\bCOUNTIF\s*\(|\bANY_VALUE\s*\(|\bSTRUCT\b|\bUNNEST\b|\bDATE_TRUNC\s*\(|\bTIMESTAMP_SUB\s*\(/i;

/** The arguments of a call whose opening parenthesis is at `open`, split at top-level commas, and the index after its `)`. */
function callArguments(sql: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        args.push(sql.slice(start, i).trim());
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error(`unbalanced parentheses after ${sql.slice(0, open)}`);
}

/** Rewrites every call of `name(...)`, innermost arguments first. */
function rewriteCalls(sql: string, name: string, rewrite: (args: string[]) => string): string {
  const pattern = new RegExp(`\\b${name}\\s*\\(`, 'i');
  let out = '';
  let rest = sql;
  for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
    const open = m.index + m[0].length - 1;
    const { args, end } = callArguments(rest, open);
    out += rest.slice(0, m.index) + rewrite(args.map((a) => rewriteCalls(a, name, rewrite)));
    rest = rest.slice(end);
  }
  return out + rest;
}

/**
 * The analyst views' BigQuery SQL in DuckDB's dialect: references become "schema"."name" and the
 * few BigQuery functions the views call become DuckDB's equivalents with the same semantics
 * (SAFE_DIVIDE's NULL on zero, TIMESTAMP_TRUNC, DATE of a timestamp, LOGICAL_AND).
 */
export function toDuckDbSql(sql: string, schema: string): string {
  const unsupported = UNSUPPORTED.exec(sql);
  if (unsupported) throw new Error(`the DuckDB translation does not know ${unsupported[0]}`);
  let out = sql.replace(/`([^`.]+)\.([^`.]+)\.([^`.]+)`/g, (_, _project: string, _dataset: string, table: string) => `"${schema}"."${table}"`);
  out = rewriteCalls(out, 'SAFE_DIVIDE', ([a, b]) => `(CAST(${a} AS DOUBLE) / NULLIF(${b}, 0))`);
  out = rewriteCalls(out, 'TIMESTAMP_TRUNC', ([ts, part]) => {
    if (!part || !/^(MINUTE|HOUR|DAY)$/i.test(part)) throw new Error(`TIMESTAMP_TRUNC to ${part ?? 'nothing'} is not translated`);
    return `date_trunc('${part.toLowerCase()}', ${ts})`;
  });
  out = rewriteCalls(out, 'DATE', ([ts]) => `CAST(${ts} AS DATE)`);
  out = rewriteCalls(out, 'LOGICAL_AND', ([b]) => `bool_and(${b})`);
  return out;
}

/** The analyst views for the local warehouse (DuckDB), in creation order, over the tables in `schema`. */
export function duckDbViews(schema: string = WAREHOUSE_DATASET): LocalView[] {
  return ANALYST_VIEWS.map((view) => ({ name: view.name, sql: toDuckDbSql(view.sql(LOCAL_PROJECT, schema), schema) }));
}
