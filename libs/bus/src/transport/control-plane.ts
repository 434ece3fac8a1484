/**
 * The control plane's wire format over core NATS request-reply, shared by the JetStream transport
 * (which answers `@MessagePattern` handlers) and its client: the request is the msgpack-encoded
 * payload, the reply `{ response }` or `{ err }`. Both directions pass the codec's size guard, so an
 * oversize reply turns into an error reply the caller hears instead of a silent non-reply.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import type { MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import type { BusCodec } from '../codec.js';
import { BusMessageError, errorText } from '../errors.js';
import type { BusLogger } from '../logger.js';
import { ControlContext } from './jetstream.context.js';

/** Control-plane subjects: `memgen.control.<group>.<action>`. */
export const CONTROL_SUBJECT = /^memgen\.control\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;

export type ControlReply = { response: unknown } | { err: string };

/** Encodes a reply; one the codec refuses (too big, unencodable) becomes an error reply saying why. */
export function encodeReply(codec: BusCodec, reply: ControlReply): Uint8Array {
  try {
    return codec.encode(reply);
  } catch (err) {
    if (!(err instanceof BusMessageError)) throw err;
    return codec.encode({ err: `reply refused: ${err.message}` });
  }
}

/**
 * Reads a decoded reply.
 * @throws BusMessageError('invalid') when the bytes decode to neither `{ response }` nor `{ err }`
 */
export function decodeReply(value: unknown, subject: string): ControlReply {
  if (typeof value === 'object' && value !== null) {
    if (typeof (value as { err?: unknown }).err === 'string') return { err: (value as { err: string }).err };
    if ('response' in value) return { response: (value as { response: unknown }).response };
  }
  throw new BusMessageError('invalid', `reply from ${subject} is neither { response } nor { err }`);
}

export interface ControlServing {
  nc: NatsConnection;
  codec: BusCodec;
  log: BusLogger;
  /** Server.transformToObservable, so handlers may return values, promises or observables. */
  toObservable: (result: unknown) => Observable<unknown>;
}

/** Subscribes `handler` to `subject` and answers every request. */
export function serveControl(
  serving: ControlServing,
  subject: string,
  handler: MessageHandler,
): Subscription {
  return serving.nc.subscribe(subject, {
    callback: (error, msg) => {
      if (error) serving.log.warn({ err: error, subject }, 'control subscription failed');
      else void answer(serving, msg, handler);
    },
  });
}

async function answer(serving: ControlServing, msg: Msg, handler: MessageHandler): Promise<void> {
  let reply: ControlReply;
  try {
    const data = serving.codec.decode(msg.data);
    const result = await handler(data, new ControlContext([msg.subject]));
    reply = { response: await lastValueFrom(serving.toObservable(result), { defaultValue: undefined }) };
  } catch (error) {
    serving.log.warn({ subject: msg.subject, reason: errorText(error) }, 'control request failed');
    reply = { err: errorText(error) };
  }
  if (!msg.reply) return;
  msg.respond(encodeReply(serving.codec, reply));
}
