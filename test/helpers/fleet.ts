import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Connection, type ParsedKey, type Server } from 'ssh2';
import { freePort } from './sshd.js';

/**
 * A fleet of in-process SSH hosts on 127.0.0.1, one port each, built on ssh2's server,
 * with faults injected per host:
 *
 * - `ok`: accepts the fleet's user key, runs any command (prints the host's name, exits 0);
 * - `refuse`: nothing listens on the port (connection refused);
 * - `hang-handshake`: accepts the TCP connection and never says a word;
 * - `hang-command`: like `ok`, but a command never ends;
 * - `wrong-host-key`: like `ok`, with a host key other than the one in known_hosts;
 * - `reject-auth`: rejects every authentication;
 * - `slow`: like `ok`, but a command takes `slowMs`;
 * - `freeze`: once a command starts, the host stops reading and answering altogether (a
 *   host that died, or a network that went silent), without closing the connection.
 */
export type Fault =
  | 'ok'
  | 'refuse'
  | 'hang-handshake'
  | 'hang-command'
  | 'wrong-host-key'
  | 'reject-auth'
  | 'slow'
  | 'freeze';

export interface FleetHost {
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly fault: Fault;
}

export interface Fleet {
  readonly hosts: readonly FleetHost[];
  /** known_hosts text listing every host's expected key (the real key, except for `wrong-host-key`). */
  readonly knownHosts: string;
  /** The fleet user's private key (OpenSSH format, unencrypted). */
  readonly userKey: string;
  /** Server-side connections open now (TCP accepted and not yet closed). */
  openConnections(): number;
  /** Names of hosts that accepted at least one TCP connection so far. */
  contacted(): Set<string>;
  /** TCP connections a host has accepted so far (0 for a refusing host). */
  connections(name: string): number;
  /** Commands the hosts received, as sent (the full remote command line). */
  readonly commandLines: string[];
  /** Channels a client closed while their command still ran (`hang-command`, `slow`). */
  stoppedCommands(): number;
  close(): Promise<void>;
}

export interface StartFleetOptions {
  /** How long a `slow` host's command takes. @default 300 */
  slowMs?: number;
}

/** The command inside sre-kit's remote command line (`env LC_ALL=C sh -c '…' sre-kit '<command>'`). */
export function innerCommand(line: string): string | undefined {
  const match = /^env LC_ALL=C sh -c '[^']*' sre-kit '((?:[^']|'\\'')*)'$/.exec(line);
  return match?.[1]?.replaceAll(`'\\''`, "'");
}

export async function startFleet(faults: readonly Fault[], options: StartFleetOptions = {}): Promise<Fleet> {
  const slowMs = options.slowMs ?? 300;
  const user = generateKey();
  const userPublic = parse(user.public);
  const servers: Array<Server | NetServer> = [];
  // Every connection a host accepted and that is still open, with how to cut it.
  const open = new Map<object, () => void>();
  const connections = new Map<string, number>();
  const commandLines: string[] = [];
  let stopped = 0;
  const hosts: FleetHost[] = [];
  const knownHosts: string[] = [];

  const track = (name: string, connection: Socket | Connection, cut: () => void) => {
    connections.set(name, (connections.get(name) ?? 0) + 1);
    open.set(connection, cut);
    connection.once('close', () => open.delete(connection));
  };
  // A socket that is never read never sees the peer's FIN, and would stay open forever.
  const silent = (name: string) => (socket: Socket) => {
    track(name, socket, () => socket.destroy());
    socket.on('error', () => {}).resume();
  };

  const ports: number[] = [];
  for (const [index, fault] of faults.entries()) {
    const name = `host-${String(index).padStart(3, '0')}-${fault}`;
    if (fault === 'refuse') continue;
    const port = await freePort();
    ports[index] = port;
    const key = generateKey();
    const shown = fault === 'wrong-host-key' ? generateKey() : key;
    knownHosts.push(`[127.0.0.1]:${port} ${shown.public.split(' ').slice(0, 2).join(' ')}`);
    let server: Server | NetServer;
    if (fault === 'hang-handshake') {
      server = createServer(silent(name));
    } else {
      server = new ssh2.Server({ hostKeys: [key.private] }, (client) => {
        // Destroyed, not ended: a frozen host's socket is paused and would never finish ending.
        track(name, client, () => socketOf(client).destroy());
        serve(client, { name, fault, userPublic, slowMs, commandLines, onStopped: () => stopped++ });
      });
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    servers.push(server);
  }
  // Closed ports for the refusing hosts, drawn once every other host listens, so that none
  // of them is a port that a later host of the fleet binds.
  for (const [index, fault] of faults.entries()) {
    if (fault === 'refuse') ports[index] = await freePort();
  }
  for (const [index, fault] of faults.entries()) {
    hosts.push({
      name: `host-${String(index).padStart(3, '0')}-${fault}`,
      host: '127.0.0.1',
      port: ports[index]!,
      fault,
    });
  }

  return {
    hosts,
    knownHosts: `${knownHosts.join('\n')}\n`,
    userKey: user.private,
    openConnections: () => open.size,
    contacted: () => new Set(connections.keys()),
    connections: (name) => connections.get(name) ?? 0,
    commandLines,
    stoppedCommands: () => stopped,
    async close() {
      for (const cut of open.values()) cut();
      await Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };
}

/**
 * An ed25519 key pair from ssh2's generator. About 1 in 256 comes out malformed (ssh2 strips
 * a public key's leading zero byte, mscdex/ssh2#1390 and #1513): those are drawn again.
 */
function generateKey(): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const parsed = [ssh2.utils.parseKey(pair.private), ssh2.utils.parseKey(pair.public)];
    if (!parsed.some((key) => key instanceof Error)) return pair;
  }
}

/** The TCP socket under an ssh2 server connection (ssh2 keeps it private). */
function socketOf(connection: Connection): Socket {
  return (connection as unknown as { _sock: Socket })._sock;
}

function parse(text: string): ParsedKey {
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

interface ServeOptions {
  name: string;
  fault: Fault;
  userPublic: ParsedKey;
  slowMs: number;
  commandLines: string[];
  onStopped: () => void;
}

function serve(client: Connection, options: ServeOptions): void {
  const { fault, userPublic } = options;
  client.on('error', () => {});
  client.on('authentication', (context) => {
    if (fault === 'reject-auth' || context.method !== 'publickey') return context.reject(['publickey']);
    const publicSSH = userPublic.getPublicSSH();
    if (context.key.algo !== userPublic.type || !context.key.data.equals(publicSSH)) return context.reject();
    // Without a signature the client only asks whether the key would do; with one it proves it holds it.
    if (context.signature === undefined) return context.accept();
    const valid = userPublic.verify(context.blob as Buffer, context.signature, context.hashAlgo);
    return valid === true ? context.accept() : context.reject();
  });
  client.on('ready', () => {
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      session.on('exec', (accept, _reject, info) => {
        const channel = accept();
        options.commandLines.push(info.command);
        if (fault === 'freeze') {
          socketOf(client).pause();
          return;
        }
        if (fault === 'hang-command' || fault === 'slow') {
          let finished = false;
          // Read the (empty) stdin, or ssh2 never emits the channel's close.
          channel.resume();
          channel.on('close', () => {
            if (!finished) options.onStopped();
          });
          if (fault === 'hang-command') return;
          setTimeout(() => {
            finished = true;
            reply();
          }, options.slowMs);
          return;
        }
        reply();
        function reply() {
          if (innerCommand(info.command) === undefined) {
            channel.stderr.write(`not an sre-kit command line: ${info.command}\n`);
            channel.exit(127);
          } else {
            channel.write(`${options.name}\n`);
            channel.exit(0);
          }
          channel.end();
        }
      });
    });
  });
}
