export * from './types';
export { WarehouseRowError, checkedValues } from './rows';
export { DEFAULT_CO_VIEWED_DAYS, DEFAULT_CO_VIEWED_LIMIT, coViewedSince } from './sql';
export * from './duckdb-warehouse';
export * from './bigquery-warehouse';
