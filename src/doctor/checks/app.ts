import { findMcpApp } from '../../teleport';
import { pass, type Check } from '../check';

const TRANSPORT_NAMES = { 'streamable-http': 'Streamable HTTP', sse: 'SSE', stdio: 'stdio' } as const;

/** The same lookup connect makes: the app exists for this identity and is an MCP app (of one of the three kinds). */
export const appCheck: Check = {
  id: 'app',
  title: 'App found',
  needs: ['auth'],
  async run(ctx) {
    const app = await findMcpApp(ctx.get('auth'), ctx.options.app!);
    ctx.set('app', app);
    const scheme = app.uri.split('://')[0];
    return pass(`"${app.name}": ${TRANSPORT_NAMES[app.transport]} (${scheme}), public address ${app.publicAddr}${app.description ? `, "${app.description}"` : ''}`);
  },
};
