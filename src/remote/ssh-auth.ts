import { readFile } from 'node:fs/promises';
import ssh2, {
  type AnyAuthMethod,
  type AuthenticationType,
  type AuthHandlerMiddleware,
  type ParsedKey,
} from 'ssh2';
import { ConfigError } from '../errors/index.js';
import { toFileError } from '../fs/paths.js';
import type { Secret } from '../secrets/secret.js';

/** A private key ready for ssh2, with how messages name it (a path, never its contents). */
export interface LoadedKey {
  readonly label: string;
  readonly key: ParsedKey;
}

/**
 * Reads and decrypts a private key: a path, or the key text itself as a Secret. Decrypting
 * costs a bcrypt KDF for OpenSSH keys, so keys are loaded once per run, not per host.
 *
 * @throws `SRE_FILE_NOT_FOUND` / `SRE_FILE_PERMISSION` for a path that cannot be read;
 *   `SRE_CONFIG_INVALID` for a key that cannot be parsed or decrypted (a passphrase missing
 *   or wrong) or that is a public key.
 */
export async function loadPrivateKey(
  source: string | Secret,
  label: string,
  passphrase: Secret | undefined,
): Promise<LoadedKey> {
  let text: string;
  if (typeof source === 'string') {
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw toFileError(error, source, 'read the private key');
    }
  } else text = source.reveal();
  const parsed = ssh2.utils.parseKey(text, passphrase?.reveal());
  // An OpenSSH-format file holds a list of keys (ssh2 reads one): its first is the key.
  const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | Error | undefined;
  if (key === undefined || key instanceof Error) {
    const reason = key instanceof Error ? key.message : 'no key found';
    const hint = /passphrase|encrypted|decrypt/i.test(reason)
      ? passphrase === undefined
        ? ' (the key is encrypted: pass its passphrase as the "passphrase" option)'
        : ' (is the passphrase right?)'
      : '';
    throw new ConfigError('SRE_CONFIG_INVALID', `Cannot use the private key ${label}: ${reason}${hint}`, {
      details: { key: label },
    });
  }
  if (!key.isPrivateKey()) {
    throw new ConfigError('SRE_CONFIG_INVALID', `${label} is a public key; a private key is needed`, {
      details: { key: label },
    });
  }
  return { label, key };
}

/** Loads each key path once, however many hosts name it. */
export function createKeyCache(passphrase: Secret | undefined): (path: string) => Promise<LoadedKey> {
  const cache = new Map<string, Promise<LoadedKey>>();
  return (path) => {
    let loaded = cache.get(path);
    if (loaded === undefined) {
      loaded = loadPrivateKey(path, path, passphrase);
      // A rejection is kept too (every host naming the file gets the same error), but never unhandled.
      loaded.catch(() => {});
      cache.set(path, loaded);
    }
    return loaded;
  };
}

/** What a connection authenticates with, in the order tried. */
export interface AuthPlan {
  readonly username: string;
  readonly keys: readonly LoadedKey[];
  /** The ssh-agent socket, tried after the keys. */
  readonly agent: string | undefined;
}

/** How the methods of a plan read in an auth failure message: `key ~/.ssh/id_ed25519, ssh-agent`. */
export function describeAuthPlan(plan: AuthPlan): string {
  const methods = [...plan.keys.map((key) => `key ${key.label}`), ...(plan.agent ? ['ssh-agent'] : [])];
  return methods.length === 0 ? 'no key and no ssh-agent (SSH_AUTH_SOCK unset)' : methods.join(', ');
}

/**
 * ssh2's authHandler for a plan: each key, then the agent (whose keys ssh2 tries in turn),
 * each only while the server still accepts `publickey`.
 */
export function createAuthHandler(plan: AuthPlan): AuthHandlerMiddleware {
  const methods: AnyAuthMethod[] = [
    ...plan.keys.map((loaded) => ({ type: 'publickey' as const, username: plan.username, key: loaded.key })),
    ...(plan.agent ? [{ type: 'agent' as const, username: plan.username, agent: plan.agent }] : []),
  ];
  let next = 0;
  return (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, callback) => {
    // null on the first call: the server has not said yet what it accepts.
    const canPublicKey = methodsLeft === null || methodsLeft.includes('publickey');
    const method = canPublicKey ? methods[next++] : undefined;
    // ssh2's types say the handler may return the method; calling back is the documented way too.
    callback(method ?? (false as unknown as AnyAuthMethod));
  };
}
