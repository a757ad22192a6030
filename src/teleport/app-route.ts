import type { TeleportIdentity } from '../identity';

/** A cert routes to the app when it names the app and carries public addr, cluster and session id (tlsca). */
export function routesToApp(identity: TeleportIdentity, appName: string): boolean {
  const route = identity.app;
  return !!route && route.name === appName && !!route.publicAddr && !!route.clusterName && !!route.sessionId;
}
