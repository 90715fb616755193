import type { Column, TableSpec } from '@shop/contracts';
import type { WarehouseRow, WarehouseValue } from './types';

/** A row the table's contract does not allow; names the table, row and column. */
export class WarehouseRowError extends Error {
  constructor(
    readonly table: string,
    readonly insertId: string,
    readonly column: string,
    problem: string,
  ) {
    super(`${table} row ${insertId}: ${column} ${problem}`);
    this.name = 'WarehouseRowError';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 8601 with an explicit offset; stored as the UTC instant it names. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Why a value does not fit a column, or null when it does. */
function misfit(column: Column, value: WarehouseValue): string | null {
  if (value === null) return column.required ? 'is required' : null;
  switch (column.type) {
    case 'STRING':
      return typeof value === 'string' ? null : 'must be a string';
    case 'INT64':
      return Number.isSafeInteger(value) ? null : 'must be a safe integer';
    case 'FLOAT64':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a finite number';
    case 'BOOL':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'TIMESTAMP':
      return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)) ? null : 'must be an ISO 8601 time with an offset';
    case 'DATE':
      return typeof value === 'string' && DATE.test(value) ? null : 'must be a YYYY-MM-DD date';
    case 'JSON':
      if (typeof value !== 'string') return 'must be JSON text';
      try {
        JSON.parse(value);
        return null;
      } catch {
        return 'must be JSON text';
      }
  }
}

/**
 * Checks a row against its table's contract and returns its values in the stored form: every
 * column present (absent optional ones as null), timestamps as UTC ISO 8601. Throws a
 * WarehouseRowError for an unknown column, a missing required one or a value of the wrong type.
 */
export function checkedValues(table: TableSpec, row: WarehouseRow): Record<string, WarehouseValue> {
  if (row.insertId.length === 0) throw new WarehouseRowError(table.name, row.insertId, 'insertId', 'must not be empty');
  const known = new Set(table.columns.map((c) => c.name));
  for (const name of Object.keys(row.values)) {
    if (!known.has(name)) throw new WarehouseRowError(table.name, row.insertId, name, 'is not a column of the table');
  }
  const out: Record<string, WarehouseValue> = {};
  for (const column of table.columns) {
    const value = row.values[column.name] ?? null;
    const problem = misfit(column, value);
    if (problem) throw new WarehouseRowError(table.name, row.insertId, column.name, problem);
    out[column.name] = column.type === 'TIMESTAMP' && typeof value === 'string' ? new Date(Date.parse(value)).toISOString() : value;
  }
  return out;
}

/** Table, view and column names the adapters put into SQL; anything else is refused. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,127}$/;

export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${JSON.stringify(name)} is not a warehouse table, view or column name`);
  return name;
}
