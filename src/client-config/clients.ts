import path from 'node:path';
import { claudeCode } from './claude-code';
import { claudeDesktop } from './claude';
import type { ClientConfigWriter } from './client-writer';
import { mergeServerEntry, type MergeResult } from './config-file';
import { currentPlatform, type PlatformContext } from './default-paths';
import { cursor } from './cursor';
import type { StdioServer } from './stdio-server';
import { vscode } from './vscode';

/** Every client `--client-config` names, in the order help lists them. */
export const CLIENT_WRITERS: readonly ClientConfigWriter[] = [claudeDesktop, cursor, vscode, claudeCode];

export interface ClientConfigTarget {
  writer: ClientConfigWriter;
  path: string;
}

/**
 * A client name selects that client's file at its default path; anything else is a path to a file in Claude
 * Desktop's format (write `./cursor` for a file that happens to be called like a client).
 */
export function resolveClientTarget(
  value: string,
  ctx: PlatformContext = currentPlatform(),
  cwd: string = process.cwd(),
): ClientConfigTarget {
  const writer = CLIENT_WRITERS.find((w) => w.id === value);
  if (writer) return { writer, path: writer.defaultPath(ctx) };
  return { writer: claudeDesktop, path: path.resolve(cwd, value) };
}

/** Merges the server into the target's file under `name`, in that client's format. */
export function writeClientConfig(target: ClientConfigTarget, name: string, server: StdioServer): Promise<MergeResult> {
  return mergeServerEntry(target.path, target.writer.serversKey, name, target.writer.toEntry(server));
}
