export * from './topics';
export * from './envelope';
export * from './inventory';
export * from './platform';
export * from './warehouse';
