import { findMcpApp } from '../../teleport';
import { pass, type Check } from '../check';

/** The same lookup connect makes: the app exists for this identity, is an MCP app, and speaks Streamable HTTP. */
export const appCheck: Check = {
  id: 'app',
  title: 'App found',
  needs: ['auth'],
  async run(ctx) {
    const app = await findMcpApp(ctx.get('auth'), ctx.options.app!);
    ctx.set('app', app);
    const scheme = app.uri.split('://')[0];
    return pass(`"${app.name}": Streamable HTTP (${scheme}), public address ${app.publicAddr}${app.description ? `, "${app.description}"` : ''}`);
  },
};
