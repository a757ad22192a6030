import { BridgeError } from '../errors/catalogue';

export interface PemBlock {
  /** The word(s) between BEGIN and the dashes, e.g. `RSA PRIVATE KEY`. */
  label: string;
  /** The block re-assembled from its trimmed lines, ending with a newline. */
  pem: string;
}

export type ScannedEntry =
  | { kind: 'pem'; block: PemBlock }
  | { kind: 'ssh-cert'; line: string }
  | { kind: 'ssh-ca'; line: string };

const SSH_CERT_TYPE = /^[a-z0-9-]+-cert-v[0-9]{2}@openssh\.com$/;
const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;

/**
 * Splits text the way Teleport's identity file reader does (api/identityfile): line by line, trimmed; `@cert-authority`
 * lines are SSH CAs, a line whose first token is an OpenSSH certificate type is the SSH certificate, a `-----BEGIN`
 * line starts a PEM block that runs to the next `-----END` line; everything else is ignored. A block without END
 * (a torn or cut-off file) is an error.
 */
export function scanIdentityText(text: string, file: string): ScannedEntry[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const entries: ScannedEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('@cert-authority')) entries.push({ kind: 'ssh-ca', line });
    else if (SSH_CERT_TYPE.test(line.split(/\s+/)[0])) entries.push({ kind: 'ssh-cert', line });
    else if (line.startsWith('-----BEGIN')) {
      const label = BEGIN.exec(line)?.[1];
      if (!label) throw new BridgeError('IDENTITY_INVALID', `${file}: malformed PEM header on line ${i + 1}.`);
      const start = i;
      while (i < lines.length && !lines[i].startsWith('-----END')) i++;
      if (i === lines.length) {
        throw new BridgeError('IDENTITY_INVALID', `${file}: the ${label} PEM block starting on line ${start + 1} has no END line (cut-off or partly written file).`);
      }
      entries.push({ kind: 'pem', block: { label, pem: lines.slice(start, i + 1).join('\n') + '\n' } });
    }
  }
  return entries;
}

/** The PEM blocks of a file, in order. */
export function pemBlocks(text: string, file: string): PemBlock[] {
  return scanIdentityText(text, file).flatMap((e) => (e.kind === 'pem' ? [e.block] : []));
}

/** The DER bytes inside a PEM block; encrypted (header-carrying) blocks are refused since tbot never writes them. */
export function pemBody(block: PemBlock, file: string): Buffer {
  const lines = block.pem.trim().split('\n').slice(1, -1);
  if (lines.some((l) => l.includes(':'))) {
    throw new BridgeError('IDENTITY_INVALID', `${file}: the ${block.label} block is encrypted; tbot writes unencrypted keys, so point at tbot's output.`);
  }
  return Buffer.from(lines.join(''), 'base64');
}
