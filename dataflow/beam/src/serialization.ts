import * as dataflow from '@shop/dataflow';
import { requireForSerialization } from 'apache-beam/serialization';
import * as bigquery from './launch/bigquery';
import * as pubsub from './launch/pubsub';
import * as steps from './steps';

/** The module a Beam worker imports to find what this pipeline registered (the package's main). */
export const PIPELINE_MODULE = '@shop/beam-pipeline';

/*
 * Beam serializes DoFns and their fields with serialize-closures, which can only rebuild functions
 * compiled with its closure transform; registered values cross by name instead. A worker imports
 * every registered module before it deserializes, so registration runs when this module loads.
 */
requireForSerialization('@shop/dataflow', dataflow);
requireForSerialization(PIPELINE_MODULE, { ...steps, ...pubsub, ...bigquery });

/**
 * Registers an in-process object (a sink) so DoFns refer to it instead of carrying a copy. Only a
 * runner in this process (the direct runner) can resolve it.
 */
export function registerInProcess(name: string, value: object): void {
  requireForSerialization(PIPELINE_MODULE, { [name]: value });
}
