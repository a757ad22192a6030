// Child process for the watcher race test: replays pre-generated renewals into a directory as fast as it can, the way
// tbot writes them (each file opened with O_TRUNC and filled by one write, in tbot's order, no rename, no lock).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { dir, renewals } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const files of renewals) {
  for (const [name, content] of files) writeFileSync(join(dir, name), content, { mode: 0o600 });
}
