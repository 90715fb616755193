export * from './transforms/index';
