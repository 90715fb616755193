/** Settings and resource names other parts of the repository (manifests, workflows) read instead of retyping. */
export { ENVIRONMENTS } from './environments';
export { ConfigError, loadEnvironment, type Environment, type EnvironmentInput } from './config';
export { namesFor, type Names } from './names';
export { STACK_ORDER, type StackName } from './order';
export { CLOUD_SQL_PROXY_REPOSITORY, HEALTH_CHECK_RANGES, PRIVATE_GOOGLE_APIS } from './google';
