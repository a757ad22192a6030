import { existsSync } from 'node:fs';
import path from 'node:path';
import { BridgeError } from '../errors/catalogue';

/** How a client starts this installation of mcp-bridge without a shell, PATH lookup or npx. */
export interface BridgeLaunch {
  /** Absolute path of the Node.js running us: clients' PATH often lacks node (GUI apps, nvm). */
  node: string;
  /** Absolute path of this package's bin/mcp-bridge. */
  bin: string;
}

const BIN = path.join('bin', 'mcp-bridge');

/**
 * Finds bin/mcp-bridge by walking up from this module: from dist/ when bundled, from src/client-config/ under
 * tsx or jest. Module paths are already resolved through symlinks, so a global install yields its real location.
 */
export function installedBridgeLaunch(from: string = __dirname): BridgeLaunch {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const bin = path.join(dir, BIN);
    if (existsSync(bin)) return { node: process.execPath, bin };
    if (path.dirname(dir) === dir) break;
  }
  throw new BridgeError('INTERNAL', `No ${BIN} above ${from}: this mcp-bridge installation is incomplete; reinstall it.`);
}
