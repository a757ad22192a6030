import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startServerEverything } from '../../fixtures/upstreams';
async function main() {
  const se = await startServerEverything();
  const variants: Record<string,string[]> = {
    bridge: ['/work/main/bin/mcp-bridge', 'connect', '--url', se.url],
    remote: ['/work/main/node_modules/mcp-remote/dist/proxy.js', se.url, '--transport', 'http-only', '--silent'],
    sg: ['/work/main/node_modules/supergateway/dist/index.js', '--streamableHttp', se.url, '--outputTransport', 'stdio', '--logLevel', 'none'],
  };
  for (const [name, args] of Object.entries(variants)) {
    const t0 = performance.now();
    const tr = new StdioClientTransport({ command: process.execPath, args, stderr: 'pipe' });
    let err = ''; tr.stderr?.on('data', (c) => (err += c));
    const c = new Client({ name: 'x', version: '1' });
    await c.connect(tr);
    const t1 = performance.now();
    const tools = await c.listTools();
    const r = await c.callTool({ name: 'echo', arguments: { message: 'hi' } });
    console.log(name, (t1 - t0).toFixed(0), tools.tools.map((t) => t.name).join(','), JSON.stringify(r).slice(0, 100), tr.pid, err.slice(0, 300));
    await c.close();
  }
  await se.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
