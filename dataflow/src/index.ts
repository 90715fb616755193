export * from './transforms/index';
export { startAnalyticsJob, shardCheckpointFolder, type AnalyticsJob, type AnalyticsJobOptions, type JobStatus } from './runner/job';
export { createStatusApp } from './runner/status-app';
export { runBounded, type BoundedResult } from './runner/bounded';
export { DEFAULT_SETTINGS, type JobSettings } from './runner/settings';
export { RUNNER_METRIC_NAMES } from './runner/metrics';
export { shardSubscription, WATERMARK_TOPICS, type ShardStatus } from './runner/shard-runner';
export { analyticsConfigSchema, jobSettingsOf, type AnalyticsConfig } from './config';
