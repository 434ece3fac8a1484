/**
 * msgpack for NestJS's NATS transport, on every server and client: the default JSON serializer
 * turns a Float32Array into `{"0": …}`. Both directions go through the bus codec, so the size guard
 * applies: an oversize reply becomes an error reply (the caller hears why instead of waiting), and
 * an undecodable request is refused with a logged reason.
 */
import { type BusCodec, BusMessageError, createBusCodec } from '@memgen/bus';
import type { Deserializer, Serializer } from '@nestjs/microservices';

interface NatsMessageLike {
  data: Uint8Array;
}

/** Serializes a Nest packet ({pattern, data, id} or {id, response, err, isDisposed}) to msgpack. */
export class MsgpackSerializer implements Serializer {
  constructor(private readonly codec: BusCodec = createBusCodec()) {}

  serialize(packet: Record<string, unknown>): { data: Uint8Array; headers: undefined } {
    try {
      return { data: this.codec.encode(packet), headers: undefined };
    } catch (err) {
      if (!(err instanceof BusMessageError) || !('id' in packet) || 'pattern' in packet) throw err;
      // A reply that cannot be sent as is: send its failure instead.
      const failure = { id: packet.id, err: `reply refused: ${err.message}`, isDisposed: true };
      return { data: this.codec.encode(failure), headers: undefined };
    }
  }
}

/** Decodes msgpack Nest packets; throws BusMessageError (logged by Nest) for bytes it cannot read. */
export class MsgpackDeserializer implements Deserializer {
  constructor(private readonly codec: BusCodec = createBusCodec()) {}

  deserialize(message: NatsMessageLike, options?: { channel?: string }): unknown {
    const value = this.codec.decode(message.data);
    if (typeof value !== 'object' || value === null) {
      throw new BusMessageError(
        'invalid',
        `control message on ${options?.channel ?? '?'} is not a Nest packet`,
      );
    }
    return value;
  }
}

/** NATS transport options for a Nest server or client with the msgpack codec. */
export function natsTransportOptions(servers: string | string[], codec: BusCodec = createBusCodec()) {
  return {
    servers: Array.isArray(servers) ? servers : [servers],
    serializer: new MsgpackSerializer(codec),
    deserializer: new MsgpackDeserializer(codec),
  };
}
