/**
 * Connecting to NATS and request/reply with a mandatory timeout. Workers must ride out a server
 * restart, so connections reconnect forever by default; requests always carry a timeout, so a
 * request nobody serves fails fast instead of hanging.
 */
import { readFile } from 'node:fs/promises';
import {
  type Authenticator,
  credsAuthenticator,
  type NatsConnection,
  NoRespondersError,
  nkeyAuthenticator,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { BusCodec } from './codec.js';
import { BusRequestError, errorText } from './errors.js';

export interface BusConnectionOptions {
  /** Server URL(s), e.g. 'nats://127.0.0.1:4222'. */
  url: string | string[];
  /** Client name shown in server monitoring (use the service and host). */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** Path to a NATS .creds file (JWT + nkey seed). */
  credsFile?: string;
  /** Path to a file holding an nkey user seed (`SU…`), for servers configured with nkey users. */
  nkeySeedFile?: string;
  /** TLS: the CA that signed the server's certificate, and a client certificate when the server verifies clients. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /**
   * Copies of the jobs stream and both buckets when this process is the one to create them (3 in
   * a 3-node JetStream cluster, so a server can die without losing a job or an artefact).
   */
  replicas?: number;
  /** Pause between reconnect attempts in ms (default 500). */
  reconnectWaitMs?: number;
  /** Reconnect attempts per server before giving up; -1 (default) never gives up. */
  maxReconnectAttempts?: number;
  /** Handshake timeout in ms (default 10 000). */
  connectTimeoutMs?: number;
}

/** The authenticator of a creds or nkey seed file (at most one may be given). */
async function fileAuthenticator(options: BusConnectionOptions): Promise<Authenticator | undefined> {
  if (options.credsFile && options.nkeySeedFile) {
    throw new Error('NATS credentials: give a creds file or an nkey seed file, not both');
  }
  const read = async (what: string, path: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`NATS ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  if (options.credsFile) return credsAuthenticator(await read('creds file', options.credsFile));
  if (options.nkeySeedFile) {
    const seed = (await read('nkey seed file', options.nkeySeedFile)).toString('utf8').trim();
    // Checked here: the library would only fail later, inside the handshake, with a vaguer error.
    if (!USER_SEED.test(seed))
      throw new Error(
        `NATS nkey seed file ${options.nkeySeedFile}: not an nkey user seed (58 characters, SU…)`,
      );
    return nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  return undefined;
}

/** An nkey user seed: 'SU' and 56 base32 characters (prefix, 32-byte key, checksum). */
const USER_SEED = /^SU[A-Z2-7]{56}$/;

/** Opens a NATS connection that reconnects (forever by default) after a server restart. */
export async function connectBus(options: BusConnectionOptions): Promise<NatsConnection> {
  const authenticator = await fileAuthenticator(options);
  return connect({
    servers: options.url,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.user === undefined ? {} : { user: options.user, pass: options.pass ?? '' }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(authenticator === undefined ? {} : { authenticator }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    reconnect: true,
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectWaitMs ?? 500,
    timeout: options.connectTimeoutMs ?? 10_000,
  });
}

export interface RequestReplyOptions {
  /** Milliseconds to wait for the reply; required, there is no "wait forever". */
  timeoutMs: number;
}

/**
 * Sends `value` (encoded with `codec`) to `subject` and decodes the reply.
 * @throws BusRequestError('timeout') when no reply arrives in time, ('no-responders') when nobody
 *   subscribes to the subject, ('connection') when the connection is closed; BusMessageError when
 *   the request is oversize or the reply undecodable.
 */
export async function requestReply(
  nc: NatsConnection,
  codec: BusCodec,
  subject: string,
  value: unknown,
  options: RequestReplyOptions,
): Promise<unknown> {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new Error(`requestReply: timeoutMs must be a positive number, got ${options.timeoutMs}`);
  }
  const payload = codec.encode(value);
  let reply: Awaited<ReturnType<NatsConnection['request']>>;
  try {
    reply = await nc.request(subject, payload, { timeout: options.timeoutMs });
  } catch (error) {
    throw toRequestError(error, subject, options.timeoutMs);
  }
  return codec.decode(reply.data);
}

function toRequestError(error: unknown, subject: string, timeoutMs: number): BusRequestError {
  const cause = error instanceof RequestError && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
    return new BusRequestError(
      'no-responders',
      subject,
      `request to ${subject}: nobody serves this subject`,
      {
        cause: error,
      },
    );
  }
  if (cause instanceof TimeoutError) {
    return new BusRequestError('timeout', subject, `request to ${subject}: no reply within ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const text = errorText(error);
  return new BusRequestError('connection', subject, `request to ${subject} failed: ${text}`, {
    cause: error,
  });
}
