import {
  claudeCodeConfigPath,
  claudeDesktopConfigPath,
  cursorConfigPath,
  vscodeConfigPath,
  type PlatformContext,
} from '../../src/client-config/default-paths';

const linux: PlatformContext = { platform: 'linux', home: '/home/ada', env: {} };
const mac: PlatformContext = { platform: 'darwin', home: '/Users/ada', env: {} };
const windows: PlatformContext = { platform: 'win32', home: 'C:\\Users\\ada', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } };

describe('default client config paths', () => {
  it('puts Claude Desktop in each OS app config directory', () => {
    expect(claudeDesktopConfigPath(linux)).toBe('/home/ada/.config/Claude/claude_desktop_config.json');
    expect(claudeDesktopConfigPath({ ...linux, env: { XDG_CONFIG_HOME: '/xdg' } })).toBe('/xdg/Claude/claude_desktop_config.json');
    expect(claudeDesktopConfigPath(mac)).toBe('/Users/ada/Library/Application Support/Claude/claude_desktop_config.json');
    expect(claudeDesktopConfigPath(windows)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
  });

  it('falls back to the roaming AppData under the home directory when APPDATA is unset', () => {
    expect(claudeDesktopConfigPath({ ...windows, env: {} })).toBe('C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
  });

  it("puts Cursor's global mcp.json under the home directory on every OS", () => {
    expect(cursorConfigPath(linux)).toBe('/home/ada/.cursor/mcp.json');
    expect(cursorConfigPath(mac)).toBe('/Users/ada/.cursor/mcp.json');
    expect(cursorConfigPath(windows)).toBe('C:\\Users\\ada\\.cursor\\mcp.json');
  });

  it("puts VS Code's user mcp.json beside its settings.json", () => {
    expect(vscodeConfigPath(linux)).toBe('/home/ada/.config/Code/User/mcp.json');
    expect(vscodeConfigPath(mac)).toBe('/Users/ada/Library/Application Support/Code/User/mcp.json');
    expect(vscodeConfigPath(windows)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\mcp.json');
  });

  it('puts Claude Code in ~/.claude.json unless CLAUDE_CONFIG_DIR moves it', () => {
    expect(claudeCodeConfigPath(linux)).toBe('/home/ada/.claude.json');
    expect(claudeCodeConfigPath(windows)).toBe('C:\\Users\\ada\\.claude.json');
    expect(claudeCodeConfigPath({ ...linux, env: { CLAUDE_CONFIG_DIR: '/etc/claude' } })).toBe('/etc/claude/.claude.json');
  });
});
