/**
 * Tensor transport over NATS: msgpack messages carrying a HostTensor (the bus codec: encode, copy
 * on receipt, decode) against a raw publish of the same float32 bytes (receiver copies them into
 * a Float32Array, the least any receiver must do). Reports MiB/s for both and their ratio.
 * Starts its own nats-server. Run: node --import tsx bench/transport.bench.ts
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { connectBus, createBusCodec } from '../libs/bus/src/index.js';
import { HostTensor } from '../libs/tensor/src/index.js';
import { startNatsServer } from '../test/support/nats-server.js';

const MIB = 1024 * 1024;
const SIZES = [
  { label: '64 KiB', rows: 16, cols: 1024, messages: 800 },
  { label: '512 KiB', rows: 128, cols: 1024, messages: 200 },
  { label: '4 MiB', rows: 1024, cols: 1024, messages: 40 },
];
const BATCH = 8; // flush every BATCH publishes so the server never sees a slow consumer

/** Publishes `messages` payloads from `pub` and resolves when `sub` has received and processed all. */
async function timeTransfer(
  pub: NatsConnection,
  sub: NatsConnection,
  subject: string,
  messages: number,
  makePayload: () => Uint8Array,
  receive: (data: Uint8Array) => number,
): Promise<number> {
  let received = 0;
  let checksum = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const subscription = sub.subscribe(subject, {
    callback: (_error, msg) => {
      checksum += receive(msg.data);
      if (++received === messages) done();
    },
  });
  await sub.flush();
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    pub.publish(subject, makePayload());
    if ((i + 1) % BATCH === 0) await pub.flush();
  }
  await pub.flush();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  subscription.unsubscribe();
  if (!Number.isFinite(checksum)) throw new Error('received data were not numbers');
  return seconds;
}

const server = await startNatsServer();
try {
  const pub = await connectBus({ url: server.url, name: 'bench-pub' });
  const sub = await connectBus({ url: server.url, name: 'bench-sub' });
  const codec = createBusCodec({ maxBytes: 6 * MIB });
  const rows = [];
  for (const size of SIZES) {
    const data = new Float32Array(size.rows * size.cols);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
    const tensor = new HostTensor('float32', [size.rows, size.cols], data);
    const raw = new Uint8Array(data.buffer);
    const mib = (size.messages * raw.byteLength) / MIB;
    // Warm-up pass of each path, then the measured one.
    const msgpackRun = () =>
      timeTransfer(
        pub,
        sub,
        'bench.msgpack',
        size.messages,
        () => codec.encode({ v: 1, kind: 'tensor', name: 'acts', t: tensor }),
        (bytes) => (codec.decode(bytes) as { t: HostTensor<'float32'> }).t.data[1]!,
      );
    const rawRun = () =>
      timeTransfer(
        pub,
        sub,
        'bench.raw',
        size.messages,
        () => raw,
        (bytes) => new Float32Array(bytes.slice().buffer)[1]!,
      );
    await msgpackRun();
    await rawRun();
    const msgpackSeconds = await msgpackRun();
    const rawSeconds = await rawRun();
    rows.push({
      tensor: `${size.label} float32 [${size.rows}, ${size.cols}]`,
      messages: size.messages,
      msgpack_mib_s: Math.round(mib / msgpackSeconds),
      raw_mib_s: Math.round(mib / rawSeconds),
      ratio_msgpack_over_raw: Number((rawSeconds / msgpackSeconds).toFixed(2)),
    });
  }
  console.table(rows);
  console.log(JSON.stringify({ bench: 'transport', rows }));
  await pub.close();
  await sub.close();
} finally {
  await server.dispose();
}
