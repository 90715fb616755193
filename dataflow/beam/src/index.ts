export * from './elements';
export { analyticsPipeline, DEFAULT_ANALYTICS_OPTIONS, FIXED_WINDOW_TABLE_NAMES, type AnalyticsOptions, type AnalyticsOutputs } from './pipeline';
export { writeToSink } from './sink';
export { runBounded, type TableRowsByName } from './bounded';
export type { RowSink } from './steps';
export { launch, runnerOf, streamingJob } from './launch/launch';
export { LaunchSettingsError, launchSettingsFrom, pipelineOptionsOf, type LaunchRunner, type LaunchSettings } from './launch/settings';
