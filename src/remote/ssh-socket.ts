import { connect as connectTcp, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { RemoteError, type SreError } from '../errors/index.js';
import { abortedError, connectTimeoutError, type Endpoint, tcpError } from './ssh-errors.js';

/** A TCP connection to the endpoint within `timeoutMs`. */
export function openTcp(endpoint: Endpoint, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  if (signal.aborted) return Promise.reject(abortedError(signal, `before connecting to ${endpoint.host}`));
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: endpoint.host, port: endpoint.port });
    const finish = (error: SreError | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect).off('error', onError);
      if (error === undefined) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const onConnect = () => {
      socket.setNoDelay(true);
      finish(undefined);
    };
    const onError = (error: Error) => finish(tcpError(error, endpoint));
    const onAbort = () => finish(abortedError(signal, `while connecting to ${endpoint.host}`));
    const timer = setTimeout(() => finish(connectTimeoutError('tcp', endpoint, timeoutMs)), timeoutMs);
    socket.once('connect', onConnect).once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Something that opens direct-tcpip channels: a jump host's session. */
export interface Forwarder {
  forward(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
}

/** A channel through the jump host to the endpoint within `timeoutMs`. */
export async function forwardThrough(
  jump: Forwarder,
  endpoint: Endpoint,
  timeoutMs: number,
  runSignal: AbortSignal,
): Promise<Duplex> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([runSignal, timeout]);
  try {
    return await jump.forward(endpoint.host, endpoint.port, signal);
  } catch (error) {
    if (runSignal.aborted) throw abortedError(runSignal, `while connecting to ${endpoint.host}`);
    if (timeout.aborted) throw connectTimeoutError('tcp', endpoint, timeoutMs);
    throw error;
  }
}

/** Opens a direct-tcpip channel on `client` (the jump host) to `host:port`. */
export function forward(
  client: Client,
  jump: Endpoint,
  host: string,
  port: number,
  signal: AbortSignal,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
      signal.removeEventListener('abort', onAbort);
      if (error) {
        const via = `${jump.host}:${jump.port}`;
        return reject(
          new RemoteError(
            'SRE_REMOTE_CONNECT',
            `Jump host ${via} could not reach ${host}:${port}: ${error.message}`,
            {
              cause: error,
              details: { host, port, via, stage: 'tcp' },
              retryable: true,
            },
          ),
        );
      }
      if (signal.aborted) {
        channel.destroy();
        return;
      }
      resolve(channel);
    });
  });
}
