import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOYABLES } from './deployables';
import { deployablesWithCode, renderDockerfile } from './dockerfiles';
import { committedDigests, renderFiles, writeFiles } from './files';

/** `npm run generate -w k8s`: writes k8s/base, k8s/components and k8s/overlays from the contracts, and each deployable's Dockerfile. */
function main(): void {
  // dist/generate.js sits two levels below the repository root, wherever it is run from.
  const root = path.resolve(__dirname, '..', '..');
  const files = renderFiles(committedDigests(root));
  const { written, removed } = writeFiles(root, files);
  for (const file of written) console.log(`wrote   ${file}`);
  for (const file of removed) console.log(`removed ${file}`);
  console.log(`${files.length} files, ${written.length} written, ${removed.length} removed`);
  for (const d of deployablesWithCode(root, DEPLOYABLES)) {
    const file = path.join(root, d.dockerfile);
    const content = renderDockerfile(root, d);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) continue;
    fs.writeFileSync(file, content);
    console.log(`wrote   ${d.dockerfile}`);
  }
}

main();
