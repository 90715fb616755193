/** Settings and resource names other parts of the repository (manifests, workflows) read instead of retyping. */
export { ENVIRONMENTS } from './environments';
export { ConfigError, loadEnvironment, type Environment, type EnvironmentInput } from './config';
export { namesFor, type Names } from './names';
