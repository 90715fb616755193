/**
 * The analytics job's transforms in the Beam model, shared by the Node streaming runner and the
 * Apache Beam pipeline: per-message parsing into events or dead letters, per-table inputs and
 * keys, window sizes, CombineFns and row builders. Everything here is deterministic and free of
 * I/O; accumulators are plain JSON.
 */
export * from './combine';
export * from './time';
export * from './message';
export * from './dead-letter';
export * from './parse';
export * from './table';
export * from './product-activity';
export * from './inventory';
export * from './sales';
export * from './co-views';
