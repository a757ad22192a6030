import os from 'node:os';
import path from 'node:path';

/** The facts default config paths depend on; tests pass other platforms' values to check their paths. */
export interface PlatformContext {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string | undefined>;
}

export function currentPlatform(): PlatformContext {
  return { platform: process.platform, home: os.homedir(), env: process.env };
}

/** Joins with the separators of the platform the path is for, not the one we run on. */
function join(ctx: PlatformContext, ...parts: string[]): string {
  return (ctx.platform === 'win32' ? path.win32 : path.posix).join(...parts);
}

/**
 * The per-user application config directory, as desktop apps (Electron's appData) use it:
 * macOS ~/Library/Application Support, Windows %APPDATA%, elsewhere $XDG_CONFIG_HOME or ~/.config.
 */
function userConfigDir(ctx: PlatformContext): string {
  switch (ctx.platform) {
    case 'darwin':
      return join(ctx, ctx.home, 'Library', 'Application Support');
    case 'win32':
      return ctx.env.APPDATA || join(ctx, ctx.home, 'AppData', 'Roaming');
    default:
      return ctx.env.XDG_CONFIG_HOME || join(ctx, ctx.home, '.config');
  }
}

/** Claude Desktop: claude_desktop_config.json in its app config directory (Linux builds use ~/.config/Claude). */
export function claudeDesktopConfigPath(ctx: PlatformContext): string {
  return join(ctx, userConfigDir(ctx), 'Claude', 'claude_desktop_config.json');
}

/** Cursor's global MCP config; the same on every OS. */
export function cursorConfigPath(ctx: PlatformContext): string {
  return join(ctx, ctx.home, '.cursor', 'mcp.json');
}

/** VS Code's user-profile mcp.json (default profile), beside its settings.json. */
export function vscodeConfigPath(ctx: PlatformContext): string {
  return join(ctx, userConfigDir(ctx), 'Code', 'User', 'mcp.json');
}

/** Claude Code keeps user-scope MCP servers in ~/.claude.json, or in $CLAUDE_CONFIG_DIR when that is set. */
export function claudeCodeConfigPath(ctx: PlatformContext): string {
  return join(ctx, ctx.env.CLAUDE_CONFIG_DIR || ctx.home, '.claude.json');
}
