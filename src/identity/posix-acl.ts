/** Whether a file has a POSIX ACL beyond its mode bits; 'unknown' when that cannot be told here. */
export type AclState = 'acl' | 'none' | 'unknown';

const GETFACL_TIMEOUT_MS = 2_000;

/**
 * tbot's `readers:` grants other users access with POSIX ACLs, and then the group bits of the mode are the ACL mask
 * (0640), not a group's access. Node has no xattr API and a native addon would break the single-file bundle, so this
 * asks `getfacl --skip-base`, which prints nothing for a file with mode bits only (or on a file system without ACLs).
 * Run only for key files whose group bits are set, which is rare, so its cost does not touch normal start-up (nor does
 * loading child_process, ~5 ms: it is required here, on first use).
 * Without getfacl (not installed, or not Linux/FreeBSD) the answer is 'unknown', and the caller words its advice so.
 */
export function posixAclOf(path: string): Promise<AclState> {
  if (process.platform !== 'linux' && process.platform !== 'freebsd') return Promise.resolve('unknown');
  const { execFile }: typeof import('node:child_process') = require('node:child_process');
  return new Promise((resolve) => {
    execFile('getfacl', ['--skip-base', '--absolute-names', '--', path], { timeout: GETFACL_TIMEOUT_MS, env: process.env }, (err, stdout) => {
      if (err) resolve('unknown');
      else resolve(stdout.trim() ? 'acl' : 'none');
    });
  });
}
