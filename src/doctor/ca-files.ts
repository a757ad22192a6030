import { readFileSync } from 'node:fs';
import { BridgeError } from '../errors/catalogue';

/** Reads --ca files (extra roots for the proxy's web certificate); a missing file is a usage error naming it. */
export function readCaFiles(files: readonly string[] | undefined): string[] {
  return (files ?? []).map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new BridgeError('CONFIG_INVALID', `--ca ${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: err });
    }
  });
}
