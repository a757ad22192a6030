import type { X509Certificate } from 'node:crypto';
import type forge from 'node-forge';
import { BridgeError } from '../errors/catalogue';
import type { AppRoute, TeleportIdentity } from './types';

/**
 * Subject attribute OIDs Teleport uses for identity (lib/tlsca/ca.go; teleport-wire.md §3). Kept apart from
 * fixtures/pki/teleport-subject.ts on purpose: the fixtures encode, this decodes, so a mistake in either fails a test.
 */
const OIDS = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  locality: '2.5.4.7',
  streetAddress: '2.5.4.9',
  postalCode: '2.5.4.17',
  appSessionId: '1.3.9999.1.4',
  appClusterName: '1.3.9999.1.5',
  appPublicAddr: '1.3.9999.1.6',
  teleportCluster: '1.3.9999.1.7',
  appName: '1.3.9999.1.10',
  renewable: '1.3.9999.1.13',
  generation: '1.3.9999.1.14',
  appTargetPort: '1.3.9999.1.21',
  impersonator: '1.3.9999.2.7',
  disallowReissue: '1.3.9999.2.9',
  botName: '1.3.9999.2.18',
  botInstanceId: '1.3.9999.2.20',
} as const;

/** Every attribute value of a Name, by OID, in encoding order; multi-valued RDNs contribute each of their values. */
type Attributes = Map<string, string[]>;

// Only forge's ASN.1 and util modules: the package index loads every cipher and TLS module (slower start-up).
const asn1: typeof forge.asn1 = require('node-forge/lib/asn1');
const util: typeof forge.util = require('node-forge/lib/util');

function stringValue(node: forge.asn1.Asn1): string {
  const raw = typeof node.value === 'string' ? node.value : '';
  // Go writes PrintableString or UTF8String; BMPString is UTF-16BE. forge leaves bytes as a binary string.
  if (node.type === asn1.Type.UTF8) return util.decodeUtf8(raw);
  if (node.type === asn1.Type.BMPSTRING) return Buffer.from(raw, 'binary').swap16().toString('utf16le');
  return raw;
}

function attributesOf(name: forge.asn1.Asn1): Attributes {
  const attrs: Attributes = new Map();
  for (const rdn of name.value as forge.asn1.Asn1[]) {
    for (const atv of rdn.value as forge.asn1.Asn1[]) {
      const [oidNode, valueNode] = atv.value as forge.asn1.Asn1[];
      const oid = asn1.derToOid(oidNode.value as string);
      attrs.set(oid, [...(attrs.get(oid) ?? []), stringValue(valueNode)]);
    }
  }
  return attrs;
}

function timeOf(node: forge.asn1.Asn1): Date {
  const text = node.value as string;
  return node.type === asn1.Type.UTCTIME ? asn1.utcTimeToDate(text) : asn1.generalizedTimeToDate(text);
}

interface DecodedTbs {
  issuer: Attributes;
  subject: Attributes;
  /** Decoded here because Node 20's X509Certificate only offers second-less locale strings for validity. */
  notBefore: Date;
  notAfter: Date;
}

/** Issuer, validity and Subject from the TBSCertificate (the version field is an optional [0] tag before them). */
function decodeTbs(cert: X509Certificate): DecodedTbs {
  const root = asn1.fromDer(util.createBuffer(cert.raw.toString('binary')));
  const tbs = (root.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const first = tbs[0].tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  // serialNumber, signature, issuer, validity, subject
  const [notBefore, notAfter] = tbs[first + 3].value as forge.asn1.Asn1[];
  return {
    issuer: attributesOf(tbs[first + 2]),
    subject: attributesOf(tbs[first + 4]),
    notBefore: timeOf(notBefore),
    notAfter: timeOf(notAfter),
  };
}

function appRouteOf(first: (oid: string) => string | undefined): AppRoute | undefined {
  const name = first(OIDS.appName);
  const publicAddr = first(OIDS.appPublicAddr);
  const clusterName = first(OIDS.appClusterName);
  const sessionId = first(OIDS.appSessionId);
  // Teleport considers a certificate app-routed only when all four are present.
  if (!name || !publicAddr || !clusterName || !sessionId) return undefined;
  const port = first(OIDS.appTargetPort);
  return { name, publicAddr, clusterName, sessionId, ...(port ? { targetPort: Number(port) } : {}) };
}

function traitsOf(json: string | undefined, file: string): Record<string, string[]> {
  if (!json) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, string[]>;
  } catch {
    // reported below
  }
  throw new BridgeError('IDENTITY_INVALID', `${file}: the certificate's traits attribute (POSTALCODE) is not a JSON object.`);
}

/** Decodes the Teleport identity from a certificate's Subject and Issuer, independently of how it was encoded. */
export function teleportIdentityOf(cert: X509Certificate, file: string): TeleportIdentity {
  let tbs: DecodedTbs;
  try {
    tbs = decodeTbs(cert);
  } catch (err) {
    throw new BridgeError('IDENTITY_INVALID', `${file}: the certificate's Subject could not be decoded.`, { cause: err });
  }
  const { issuer, subject } = tbs;
  const all = (oid: string) => subject.get(oid) ?? [];
  const first = (oid: string) => subject.get(oid)?.[0];
  const generation = first(OIDS.generation);
  const identity: TeleportIdentity = {
    username: first(OIDS.commonName) ?? '',
    roles: all(OIDS.organization),
    logins: all(OIDS.locality),
    usage: all(OIDS.organizationalUnit),
    traits: traitsOf(first(OIDS.postalCode), file),
    clusterName: issuer.get(OIDS.organization)?.[0] ?? '',
    disallowReissue: first(OIDS.disallowReissue) === 'true',
    renewable: first(OIDS.renewable) === 'true',
    notBefore: tbs.notBefore,
    notAfter: tbs.notAfter,
    serialNumber: cert.serialNumber,
  };
  const optional: Partial<TeleportIdentity> = {
    routeToCluster: first(OIDS.streetAddress),
    teleportCluster: first(OIDS.teleportCluster),
    botName: first(OIDS.botName),
    botInstanceId: first(OIDS.botInstanceId),
    impersonator: first(OIDS.impersonator),
    generation: generation !== undefined && /^\d+$/.test(generation) ? Number(generation) : undefined,
    app: appRouteOf(first),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(identity, { [k]: v });
  return identity;
}
