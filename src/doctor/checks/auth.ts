import { X509Certificate } from 'node:crypto';
import { BridgeError } from '../../errors/catalogue';
import { listMcpApps } from '../../teleport';
import { authClientForIdentity } from '../../teleport';
import { pass, type Check } from '../check';

/** The Host CA certificates still valid now, latest ending first (several during a CA rotation). */
function validHostCAs(pems: string[], now: Date): X509Certificate[] {
  return pems
    .map((pem) => new X509Certificate(pem))
    .filter((ca) => new Date(ca.validFrom) <= now && now <= new Date(ca.validTo))
    .sort((a, b) => new Date(b.validTo).getTime() - new Date(a.validTo).getTime());
}

/**
 * An authenticated gRPC call (ListResources) through the proxy's ALPN router: proves TLS routing, that the Host CA
 * in the identity signs the Auth Service's certificate, and that the Auth Service accepts the identity.
 */
export const authCheck: Check = {
  id: 'auth',
  title: 'Auth Service',
  needs: ['validity', 'proxy'],
  async run(ctx) {
    const creds = ctx.get('credentials');
    const cas = validHostCAs(creds.caPems, ctx.now());
    if (creds.caPems.length && !cas.length) {
      throw new BridgeError('AUTH_UNREACHABLE', `every Host CA certificate in ${creds.files.join(', ')} has expired or is not valid yet: the identity's CA files are out of date.`);
    }
    const auth = authClientForIdentity(ctx.options.proxy, creds, ctx.options.logger, ctx.options.timeoutMs);
    ctx.set('auth', auth);
    const apps = await listMcpApps(auth);
    return pass(
      `reached through the ALPN router as ${creds.identity.username}; Host CA verified (valid until ${new Date(cas[0]!.validTo).toISOString()}); ` +
        `${apps.length} MCP app${apps.length === 1 ? '' : 's'} visible`,
    );
  },
};
