import { JobState_Enum } from 'apache-beam/proto/beam_job_api';
import { launch } from './launch/launch';
import { LaunchSettingsError, launchSettingsFrom } from './launch/settings';

/** How long to wait for Dataflow to report the submitted job's state before leaving it to run. */
const SUBMIT_WAIT_MS = 120_000;

const FAILED: readonly JobState_Enum[] = [JobState_Enum.FAILED, JobState_Enum.CANCELLED, JobState_Enum.STOPPED];

/** Launches the analytics job on Dataflow from the environment's settings (see README.md). */
async function main(): Promise<number> {
  const settings = launchSettingsFrom(process.env);
  const result = await launch(settings);
  const state = await result.waitUntilFinish(SUBMIT_WAIT_MS);
  console.log(JSON.stringify({ severity: FAILED.includes(state) ? 'ERROR' : 'INFO', message: `analytics job ${settings.jobName} is ${JobState_Enum[state]}`, job: settings.jobName, project: settings.project, region: settings.region }));
  return FAILED.includes(state) ? 1 : 0;
}

main().then(
  // Exit explicitly: a streaming job never finishes, and Beam's job service client keeps handles open.
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof LaunchSettingsError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.error(JSON.stringify({ severity: 'ERROR', message }));
    process.exit(1);
  },
);
