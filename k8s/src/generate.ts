import * as path from 'node:path';
import { committedDigests, renderFiles, writeFiles } from './files';

/** `npm run generate -w k8s`: writes k8s/base, k8s/components and k8s/overlays from the contracts. */
function main(): void {
  // dist/generate.js sits two levels below the repository root, wherever it is run from.
  const root = path.resolve(__dirname, '..', '..');
  const files = renderFiles(committedDigests(root));
  const { written, removed } = writeFiles(root, files);
  for (const file of written) console.log(`wrote   ${file}`);
  for (const file of removed) console.log(`removed ${file}`);
  console.log(`${files.length} files, ${written.length} written, ${removed.length} removed`);
}

main();
