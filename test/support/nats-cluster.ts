/**
 * A three-node JetStream cluster of real nats-servers on loopback, for tests that kill a node:
 * each server has its own store and routes to the other two; ready once JetStream answers
 * through every node (a meta leader was elected and each server joined).
 */
import { connectBus } from '@memgen/bus';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort, type NatsServerHandle, startNatsServer } from './nats-server.js';

export interface NatsCluster {
  servers: NatsServerHandle[];
  /** Every server's client URL, comma-separated (the form MEMGEN_NATS_URL takes). */
  urls: string;
  dispose(): Promise<void>;
}

async function jetStreamAnswers(url: string): Promise<boolean> {
  const nc = await connectBus({ url, maxReconnectAttempts: 0, connectTimeoutMs: 1000 }).catch(() => null);
  if (!nc) return false;
  try {
    await (await jetstreamManager(nc)).getAccountInfo();
    return true;
  } catch {
    return false;
  } finally {
    await nc.close();
  }
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const servers = await Promise.all(
    routePorts.map((port, i) =>
      startNatsServer({
        extraConfig: [
          `server_name: memgen-n${i}`,
          'cluster {',
          '  name: memgen',
          `  listen: 127.0.0.1:${port}`,
          `  routes: [${routePorts
            .filter((_, j) => j !== i)
            .map((p) => `nats-route://127.0.0.1:${p}`)
            .join(', ')}]`,
          '}',
        ],
      }),
    ),
  );
  const dispose = async () => {
    await Promise.all(servers.map((s) => s.dispose()));
  };
  const deadline = Date.now() + 30_000;
  for (const server of servers) {
    while (!(await jetStreamAnswers(server.url))) {
      if (Date.now() > deadline) {
        await dispose();
        throw new Error(`the JetStream cluster did not form within 30 s:\n${server.log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { servers, urls: servers.map((s) => s.url).join(','), dispose };
}
