import type { ColumnType, TableSpec } from '@shop/contracts';
import type { RowValues } from '@shop/dataflow';
import { parDo, withName, type AsyncPTransform, type PCollection, type PValue } from 'apache-beam';
import { RowCoder } from 'apache-beam/coders/row_coder';
import { writeToBigQuery } from 'apache-beam/io/bigqueryio';
import { AtomicType, type Schema } from 'apache-beam/proto/schema';
import { withCoderInternal } from 'apache-beam/transforms/internal';
import { applyNamed } from '../beam';

/** A row as Beam's row coder takes it: the table's columns, in order. */
export type BeamRow = Record<string, string | number | boolean | null>;

/**
 * Beam types of the warehouse columns. Timestamps, dates and JSON travel as text, which BigQuery
 * parses into the column's type. Beam 2.49's TypeScript row coder cannot encode floating point.
 */
const ATOMIC_TYPES: Record<ColumnType, AtomicType | null> = {
  STRING: AtomicType.STRING,
  INT64: AtomicType.INT64,
  BOOL: AtomicType.BOOLEAN,
  TIMESTAMP: AtomicType.STRING,
  DATE: AtomicType.STRING,
  JSON: AtomicType.STRING,
  FLOAT64: null,
};

/** Beam 2.49's TypeScript row coder writes INT64 as a 32-bit varint, so larger values would wrap. */
const INT32_MAX = 2 ** 31 - 1;

export function beamSchemaOf(table: TableSpec): Schema {
  return {
    id: `${table.name}-row`,
    options: [],
    encodingPositionsSet: false,
    fields: table.columns.map((column, position) => {
      const atomicType = ATOMIC_TYPES[column.type];
      if (atomicType === null) throw new Error(`${table.name}.${column.name}: Beam's TypeScript row coder cannot write ${column.type}`);
      return { name: column.name, description: column.description, id: position, encodingPosition: position, options: [], type: { nullable: !column.required, typeInfo: { oneofKind: 'atomicType', atomicType } } };
    }),
  };
}

const JS_TYPES: Record<ColumnType, 'string' | 'number' | 'boolean'> = { STRING: 'string', INT64: 'number', BOOL: 'boolean', TIMESTAMP: 'string', DATE: 'string', JSON: 'string', FLOAT64: 'number' };

/** The row in its table's column order; throws for a column the table lacks, a missing required value or a value of the wrong type. */
export function beamRowOf(table: TableSpec, row: RowValues): BeamRow {
  const unknown = Object.keys(row).filter((name) => !table.columns.some((c) => c.name === name));
  if (unknown.length > 0) throw new Error(`${table.name} has no column ${unknown.join(', ')}`);
  const out: BeamRow = {};
  for (const column of table.columns) {
    const value = row[column.name] ?? null;
    if (value === null) {
      if (column.required) throw new Error(`${table.name}.${column.name} is required`);
    } else if (typeof value !== JS_TYPES[column.type]) {
      throw new Error(`${table.name}.${column.name} must be ${JS_TYPES[column.type]}, got ${typeof value}`);
    } else if (column.type === 'INT64' && (!Number.isInteger(value) || Math.abs(Number(value)) > INT32_MAX)) {
      throw new Error(`${table.name}.${column.name} = ${String(value)} does not fit the row coder's 32-bit integers`);
    }
    out[column.name] = value;
  }
  return out;
}

/** Puts each row into its table's column order and checks it. */
export class ToBeamRow {
  constructor(readonly table: TableSpec) {}

  process(row: RowValues): BeamRow[] {
    return [beamRowOf(this.table, row)];
  }
}

/** Beam declares writeToBigQuery as applying to a Root; it applies to the PCollection of rows it writes. */
const writeRows: (table: string, options: { createDisposition: 'Never' | 'IfNeeded' }) => AsyncPTransform<PCollection<BeamRow>, PValue<never>> = writeToBigQuery;

/**
 * Writes one table's rows through Beam's BigQuery sink (a Java transform expanded at launch). The
 * tables exist already: the data stack creates them from the same contracts.
 */
export async function writeTableRows(rows: PCollection<RowValues>, table: TableSpec, destination: string): Promise<void> {
  const beamRows = applyNamed(rows, `${table.name}/bigquery rows`, parDo(new ToBeamRow(table)));
  const typed = applyNamed(beamRows, `${table.name}/schema`, withCoderInternal<BeamRow>(RowCoder.fromSchema(beamSchemaOf(table))));
  await typed.applyAsync(withName(`${table.name}/write`, writeRows(destination, { createDisposition: 'Never' })));
}
