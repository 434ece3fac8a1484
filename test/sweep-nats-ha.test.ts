/**
 * The sweep over a three-node JetStream cluster with every stream and bucket at three replicas
 * (MEMGEN_NATS_REPLICAS=3): one server killed with SIGKILL mid-sweep, the sweep still ends with
 * results byte-identical to local mode.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTEFACTS_BUCKET, connectBus, JOBS_STREAM, STATE_BUCKET } from '@memgen/bus';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import {
  killAllMemgen,
  startWorker,
  sweepOverNats,
  tinySweepLocally,
  waitFor,
} from './support/memgen-processes.js';
import { type NatsCluster, startNatsCluster } from './support/nats-cluster.js';
import { findNatsServer } from './support/nats-server.js';

const hasNats = findNatsServer() !== undefined;
if (!hasNats) console.warn('SKIPPED "sweep over a 3-node JetStream cluster": nats-server is not installed');

describe.skipIf(!hasNats)('sweep over a 3-node JetStream cluster', () => {
  let cluster: NatsCluster;
  let dir: string;
  let localResults: string;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    dir = await mkdtemp(join(tmpdir(), 'memgen-ha-'));
    localResults = await tinySweepLocally(join(dir, 'local'));
  }, 120_000);

  afterAll(async () => {
    killAllMemgen();
    await cluster?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses a server mid-sweep and still gives results byte-identical to local mode', async () => {
    const env = { MEMGEN_NATS_REPLICAS: '3' };
    const specPath = await writeTinySweepSpec(join(dir, 'spec.json'));
    const workers = [startWorker(cluster.urls, [], env), startWorker(cluster.urls, [], env)];
    const logs = () => workers.map((w) => w.log()).join('\n');
    await waitFor('two ready workers', () => workers.every((w) => w.log().includes('READY')));
    const out = join(dir, 'nats');
    const sweep = sweepOverNats({ specPath, out, url: cluster.urls, env, extra: logs, timeoutMs: 180_000 });
    await waitFor('a first job done', () => logs().includes('"msg":"job done"'), 90_000);
    await cluster.servers[0]!.stop({ hard: true });
    expect(await sweep).toMatch(/8\/8 jobs done/);
    expect(await readFile(join(out, 'results.json'), 'utf8')).toBe(localResults);

    const nc = await connectBus({ url: cluster.servers[1]!.url, maxReconnectAttempts: 0 });
    try {
      const jsm = await jetstreamManager(nc);
      for (const stream of [JOBS_STREAM, `KV_${STATE_BUCKET}`, `OBJ_${ARTEFACTS_BUCKET}`]) {
        expect((await jsm.streams.info(stream)).config.num_replicas, stream).toBe(3);
      }
    } finally {
      await nc.close();
    }
  }, 240_000);
});
