import { RemoteError } from '../errors/index.js';
import { fingerprint, type HostKeyVerdict, keyTypeOf, knownHostsName } from './known-hosts.js';

/** What a refusal message names. */
export interface RefusalContext {
  host: string;
  port: number;
  key: Buffer;
  path: string;
  fileExists: boolean;
}

/** The error for a refused key; every message shows the presented key's fingerprint. */
export function refusal(
  verdict: Exclude<HostKeyVerdict, { status: 'match' }>,
  context: RefusalContext,
): RemoteError {
  const { host, port, key, path } = context;
  const name = knownHostsName(host, port);
  const presented = `${keyTypeOf(key) ?? 'unknown'} ${fingerprint(key)}`;
  const details = { host, port, knownHostsPath: path, presented: fingerprint(key) };
  switch (verdict.status) {
    case 'unknown':
      return new RemoteError(
        'SRE_REMOTE_HOST_KEY_UNKNOWN',
        `The host key of ${name} is not in ${path}${context.fileExists ? '' : ' (the file does not exist)'}: ` +
          `it presented ${presented}. Nothing was sent. Check the fingerprint out of band and add the key ` +
          `(ssh-keyscan${port === 22 ? '' : ` -p ${port}`} ${host} >> ${path}), or use hostKeyPolicy: 'accept-new'`,
        { details },
      );
    case 'changed': {
      const listed = verdict.known
        .map((entry) => `${entry.keyType} ${fingerprint(entry.key)} (line ${entry.line})`)
        .join(', ');
      return new RemoteError(
        'SRE_REMOTE_HOST_KEY_CHANGED',
        `The host key of ${name} has CHANGED: it presented ${presented}, but ${path} lists ${listed}. ` +
          'Someone may be intercepting the connection, or the host was reinstalled. Nothing was sent. ' +
          `If the change is expected, remove the old key (ssh-keygen -R '${name}' -f ${path}) and add the new one`,
        { details: { ...details, known: verdict.known.map((entry) => fingerprint(entry.key)) } },
      );
    }
    case 'revoked':
      return new RemoteError(
        'SRE_REMOTE_HOST_KEY_CHANGED',
        `The host key of ${name} is revoked: it presented ${presented}, which ${path} marks @revoked ` +
          `(line ${verdict.entry.line}). Nothing was sent`,
        { details: { ...details, revokedLine: verdict.entry.line } },
      );
    case 'cert-authority':
      return new RemoteError(
        'SRE_REMOTE_HOST_KEY_UNKNOWN',
        `${name} is trusted through a certificate authority (${path} line ${verdict.entries[0]!.line}), ` +
          `but host certificates cannot be verified here (ssh2 does not support them), so its plain key ` +
          `${presented} is refused. Nothing was sent. Add the host's own key to known_hosts to connect`,
        { details },
      );
  }
}
