export * from './measure';
export * from './process';
