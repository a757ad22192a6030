import { join, resolve } from 'node:path';
import { BridgeError } from '../errors/catalogue';
import { listDirectory, pathKind } from './read-file';
import type { IdentitySource } from './types';

/** File names tbot writes in a `directory` destination (teleport-wire.md §1). */
export const TBOT_FILES = {
  identity: 'identity',
  key: 'key',
  tlsCert: 'tlscert',
  hostCA: 'teleport-host-ca.crt',
} as const;

/** Files tbot creates before any credentials, so a directory holding only these has not been written yet. */
const TBOT_PRELUDE = new Set(['.write-test']);

/** Which files hold one identity, decided before reading them. */
export type IdentityLayout =
  | { kind: 'combined'; file: string }
  | { kind: 'separate'; keyFile: string; certFile: string; caFiles: string[]; caRequired: boolean };

async function directoryLayout(dir: string): Promise<IdentityLayout> {
  const names = new Set(await listDirectory(dir));
  // `identity` holds one generation in one file (a single write), so it cannot mix renewals the way key + tlscert can.
  if (names.has(TBOT_FILES.identity)) return { kind: 'combined', file: join(dir, TBOT_FILES.identity) };
  if (names.has(TBOT_FILES.key) && names.has(TBOT_FILES.tlsCert)) {
    return {
      kind: 'separate',
      keyFile: join(dir, TBOT_FILES.key),
      certFile: join(dir, TBOT_FILES.tlsCert),
      caFiles: [join(dir, TBOT_FILES.hostCA)],
      caRequired: true,
    };
  }
  if ([...names].every((n) => TBOT_PRELUDE.has(n))) {
    throw new BridgeError('IDENTITY_UNREADABLE', `${dir} has no credentials yet: tbot has not written its first identity there (is tbot running, and is this its destination directory?).`, {
      data: { path: dir },
    });
  }
  throw new BridgeError(
    'IDENTITY_UNREADABLE',
    `${dir} is not a tbot destination: it has neither an \`${TBOT_FILES.identity}\` file nor \`${TBOT_FILES.key}\` + \`${TBOT_FILES.tlsCert}\`. Point -i at the directory of tbot's identity or application output.`,
    { data: { path: dir } },
  );
}

/** Resolves a source to absolute file paths; a directory is treated as a tbot destination. */
export async function layoutOf(source: IdentitySource): Promise<IdentityLayout> {
  if (source.kind === 'explicit') {
    return {
      kind: 'separate',
      keyFile: resolve(source.keyFile),
      certFile: resolve(source.certFile),
      caFiles: source.caFiles.map((f) => resolve(f)),
      caRequired: false,
    };
  }
  const path = resolve(source.path);
  return (await pathKind(path)) === 'directory' ? directoryLayout(path) : { kind: 'combined', file: path };
}
