import { generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { BridgeError } from '../errors/catalogue';
import type { Credentials, TeleportIdentity } from '../identity';
import type { Logger } from '../log/logger';
import type { McpApp } from './apps';
import { routesToApp } from './app-route';
import type { AuthClient } from './auth-client';
import { CertUsage, Requester, type RouteToApp } from './proto/messages';

/** A client certificate that routes to the app (it carries the app session id), with its key, in memory only. */
export interface AppCert {
  certPem: string;
  keyPem: string;
  notAfter: Date;
  /** 'identity' when tbot's application output already routes to the app; 'issued' when we asked the Auth Service. */
  origin: 'identity' | 'issued';
  /** The identity generation it was made from (or is). */
  generation: number;
}

export interface IssueContext {
  auth: AuthClient;
  credentials: Credentials;
  app: McpApp;
  clusterName: string;
  /** auth.signature_algorithm_suite from ping: decides the key algorithm of the new certificate. */
  signatureAlgorithmSuite: string;
  logger: Logger;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** The cluster's key algorithm: RSA-2048 for `legacy`, ECDSA P-256 for balanced-v1, fips-v1 and hsm-v1. */
async function newKey(suite: string): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return suite === 'legacy'
    ? generateKeyPairAsync('rsa', { modulusLength: 2048 })
    : generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
}

function routeOf(ctx: IssueContext): RouteToApp {
  return { Name: ctx.app.name, PublicAddr: ctx.app.publicAddr, ClusterName: ctx.clusterName, URI: ctx.app.uri };
}

async function requireNoMfa(ctx: IssueContext, route: RouteToApp): Promise<void> {
  const answer = await ctx.auth.isMFARequired({ App: route });
  if (answer.Required) {
    throw new BridgeError('MFA_REQUIRED', `The roles of ${ctx.credentials.identity.username} require per-session MFA for app "${ctx.app.name}".`, {
      data: { app: ctx.app.name },
    });
  }
}

function explainDenial(err: unknown, identity: TeleportIdentity): never {
  if (err instanceof BridgeError && err.tag === 'REISSUE_DENIED') {
    throw new BridgeError(
      'REISSUE_DENIED',
      `${err.detail} The identity of ${identity.username} carries disallow-reissue${identity.disallowReissue ? '' : ' (per the Auth Service)'}.`,
      { cause: err, data: err.data },
    );
  }
  throw err;
}

/**
 * Returns the certificate to present for the app: the identity itself when it already routes there (tbot
 * `application` output), otherwise a fresh one from GenerateUserCerts, as `tsh mcp connect` asks for it. The new
 * private key never leaves memory.
 */
export async function obtainAppCert(ctx: IssueContext): Promise<AppCert> {
  const { credentials, app, logger } = ctx;
  const identity = credentials.identity;
  if (routesToApp(identity, app.name)) {
    logger.debug('identity routes to the app; using it directly', { app: app.name, generation: credentials.generation });
    return { certPem: credentials.certPem, keyPem: credentials.keyPem, notAfter: identity.notAfter, origin: 'identity', generation: credentials.generation };
  }
  const route = routeOf(ctx);
  await requireNoMfa(ctx, route);
  const key = await newKey(ctx.signatureAlgorithmSuite);
  const certs = await ctx.auth
    .generateUserCerts({
      Username: identity.username,
      // The app cert cannot outlive the identity; asking for exactly its NotAfter is what tsh does.
      Expires: { seconds: Math.floor(identity.notAfter.getTime() / 1000), nanos: 0 },
      RouteToCluster: ctx.clusterName,
      Usage: CertUsage.App,
      RouteToApp: route,
      RequesterName: Requester.TSH_APP_LOCAL_PROXY,
      TLSPublicKey: Buffer.from(key.publicKey.export({ type: 'spki', format: 'pem' }) as string),
    })
    .catch((err: unknown) => explainDenial(err, identity));
  const certPem = Buffer.from(certs.TLS).toString('utf8');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new BridgeError('APP_CERT_FAILED', `GenerateUserCerts for app "${app.name}" returned no usable TLS certificate.`, { cause: err });
  }
  if (!cert.checkPrivateKey(key.privateKey)) {
    throw new BridgeError('APP_CERT_FAILED', `GenerateUserCerts for app "${app.name}" returned a certificate for another key.`);
  }
  const notAfter = new Date(cert.validTo);
  logger.info('app certificate issued', { app: app.name, notAfter: notAfter.toISOString(), generation: credentials.generation });
  return {
    certPem,
    keyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    notAfter,
    origin: 'issued',
    generation: credentials.generation,
  };
}
