import { formatDuration } from '../../identity';
import { obtainAppCert } from '../../teleport';
import { pass, type Check } from '../check';

/** Gets the app certificate connect would present (GenerateUserCerts, or tbot's application output as is). */
export const appCertCheck: Check = {
  id: 'app-cert',
  title: 'App certificate',
  needs: ['app', 'reissue'],
  async run(ctx) {
    const ping = ctx.get('ping');
    const cert = await obtainAppCert({
      auth: ctx.get('auth'),
      credentials: ctx.get('credentials'),
      app: ctx.get('app'),
      clusterName: ping.clusterName,
      signatureAlgorithmSuite: ping.signatureAlgorithmSuite,
      logger: ctx.options.logger,
    });
    ctx.set('appCert', cert);
    const left = `valid until ${cert.notAfter.toISOString()} (${formatDuration(cert.notAfter.getTime() - ctx.now().getTime())} left)`;
    return pass(cert.origin === 'issued' ? `issued by the Auth Service, ${left}` : `the identity itself routes to the app (tbot application output), ${left}`);
  },
};
