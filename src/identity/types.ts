/** Private key algorithms Teleport issues: RSA (`legacy` suite), ECDSA P-256 (`balanced-v1` and later), Ed25519. */
export type KeyType = 'rsa' | 'ecdsa-p256' | 'ed25519';

/** The app a certificate routes to (Subject attributes 1.3.9999.1.4/5/6/10/21). */
export interface AppRoute {
  name: string;
  publicAddr: string;
  clusterName: string;
  sessionId: string;
  targetPort?: number;
}

/** The Teleport identity encoded in a TLS certificate's Subject (lib/tlsca/ca.go). */
export interface TeleportIdentity {
  username: string;
  roles: string[];
  logins: string[];
  usage: string[];
  traits: Record<string, string[]>;
  routeToCluster?: string;
  /** The issuer's O: the cluster whose User CA signed the certificate. */
  clusterName: string;
  teleportCluster?: string;
  botName?: string;
  botInstanceId?: string;
  impersonator?: string;
  disallowReissue: boolean;
  renewable: boolean;
  generation?: number;
  app?: AppRoute;
  notBefore: Date;
  notAfter: Date;
  /** Hex, as Node prints it. */
  serialNumber: string;
}

/** One complete, validated generation of tbot output: the key matches the certificate. */
export interface Credentials {
  /** Raw PEMs for TLS (client key + cert). */
  keyPem: string;
  certPem: string;
  /** TLS CA certs: Host CA(s) from the identity file / teleport-host-ca.crt, or --ca in explicit mode. */
  caPems: string[];
  caSubjects: string[];
  keyType: KeyType;
  keyBits?: number;
  identity: TeleportIdentity;
  /** SHA-256 hex of the certificate DER. */
  fingerprint: string;
  /** 1 for the first accepted read in this process, +1 per accepted change. */
  generation: number;
  /** Absolute paths read. */
  files: string[];
  /** Newest mtime among the files read (is tbot still renewing?). */
  newestMtime: Date;
  /** Problems worth a warning that do not stop the credentials being used (e.g. a key file readable by others). */
  warnings: string[];
}

export type IdentitySource =
  /** A tbot destination directory, or any identity file in Teleport's combined format. */
  | { kind: 'path'; path: string }
  /** Plain PEM files; caFiles may be empty. */
  | { kind: 'explicit'; certFile: string; keyFile: string; caFiles: string[] };
