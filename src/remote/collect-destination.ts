import { ConfigError } from '../errors/index.js';
import type { CollectJump } from './collect-options.js';

/** One jump host, resolved. */
export interface JumpTarget {
  /** Identifies the connection that hosts share. */
  readonly key: string;
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFile: string | undefined;
}

/** One host, resolved. */
export interface Target {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFile: string | undefined;
  readonly jump: JumpTarget | undefined;
}

/** A jump host from the options or a host entry, with the defaults applied. */
export function toJump(
  fn: string,
  jump: string | CollectJump,
  defaultUser: string,
  where: string,
): JumpTarget {
  const spec: CollectJump = typeof jump === 'string' ? parseDestination(fn, jump, where) : jump;
  const port = spec.port ?? 22;
  const user = spec.user ?? defaultUser;
  const label = spec.name ?? `${spec.host}:${port}`;
  return {
    key: `${user}@${spec.host}:${port}#${spec.identityFile ?? ''}`,
    label,
    host: spec.host,
    port,
    user,
    identityFile: spec.identityFile,
  };
}

const DESTINATION = /^(?:([^@\s:]+)@)?(\[[^\]\s]+\]|[^@\s:[\]]+)(?::(\d{1,5}))?$/;

/** `[user@]host[:port]`, with `[v6:addr]:port` for IPv6. */
export function parseDestination(
  fn: string,
  text: string,
  where: string,
): { host: string; port?: number; user?: string } {
  const match = DESTINATION.exec(text);
  const [, user, address = '', port] = match ?? [];
  if (!match || address.startsWith('-') || user?.startsWith('-')) {
    throw usage(fn, `${where}: "${text}" is not [user@]host[:port]`);
  }
  const portNumber = port === undefined ? undefined : Number(port);
  if (portNumber !== undefined && (portNumber < 1 || portNumber > 65535)) {
    throw usage(fn, `${where}: "${text}": a port is from 1 to 65535`);
  }
  return {
    host: address.replace(/^\[(.*)\]$/, '$1'),
    ...(portNumber === undefined ? {} : { port: portNumber }),
    ...(user === undefined ? {} : { user }),
  };
}

function usage(fn: string, message: string): ConfigError {
  return new ConfigError('SRE_USAGE', `${fn}(): ${message}`);
}
