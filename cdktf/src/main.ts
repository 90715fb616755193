import { App } from 'cdktf';
import { buildApp } from './app';
import { ConfigError } from './config';

try {
  const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
  buildApp(app);
  app.synth();
  console.log(`Synthesized Terraform JSON for every stack into ${app.outdir}`);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
