export { createActivityApp, type ActivityDeps } from './app';
export { startActivityService, type RunningActivity } from './service';
export { activityConfigSchema, type ActivityConfig } from './config';
