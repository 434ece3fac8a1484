/**
 * A real nats-server for integration tests: free loopback port, temporary JetStream store,
 * max_payload 8MB, HTTP monitoring on a second free port. `describeWithNats` starts one per suite and kills it afterwards; when the binary
 * is missing the suite is skipped with the reason in its name, so the skip shows in every report.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';

export interface NatsServerHandle {
  /** e.g. 'nats://127.0.0.1:40123'. */
  readonly url: string;
  readonly port: number;
  /** HTTP monitoring endpoint, e.g. 'http://127.0.0.1:40124' (GET /connz lists client connections). */
  readonly monitorUrl: string;
  /** JetStream store directory (kept across restart(), removed by dispose()). */
  readonly storeDir: string;
  /** Stops the server: SIGTERM (graceful), or SIGKILL with { hard: true }. */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(options?: { hard?: boolean }): Promise<void>;
  /** Stops it and deletes its files. */
  dispose(): Promise<void>;
  /** The server's output since its last start (the last 20 000 characters). */
  log(): string;
}

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server'];

/**
 * Path of the nats-server binary, or undefined when it is not installed. MEMGEN_NATS_SERVER, when
 * set, is the only place looked at (set it to a non-existent path to see the skip behaviour).
 */
export function findNatsServer(): string | undefined {
  const override = process.env.MEMGEN_NATS_SERVER;
  if (override !== undefined) return isExecutable(override) ? override : undefined;
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nats-server'));
  return [...CANDIDATES, ...onPath].find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port on loopback that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** Resolves once the server answers a TCP connection with its INFO line. */
async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (data) => done(data.toString('latin1').startsWith('INFO')));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

const liveChildren = new Set<ChildProcess>();
// A crashed test process must not leave servers behind.
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export interface NatsServerOptions {
  /** More configuration lines, e.g. an `authorization { … }` block. */
  extraConfig?: string[];
  /** More environment for the server process (nats-server substitutes `$VARIABLES` in its config). */
  env?: NodeJS.ProcessEnv;
}

/** Starts a nats-server with JetStream on a free loopback port and waits until it accepts clients. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = findNatsServer();
  if (!binary) throw new Error('nats-server is not installed (apt-get install nats-server)');
  const dir = await mkdtemp(join(tmpdir(), 'memgen-nats-'));
  const storeDir = join(dir, 'store');
  const port = await freePort();
  const monitorPort = await freePort();
  const configPath = join(dir, 'nats.conf');
  await writeFile(
    configPath,
    [
      `listen: 127.0.0.1:${port}`,
      `http: 127.0.0.1:${monitorPort}`,
      'max_payload: 8MB',
      `jetstream { store_dir: ${JSON.stringify(storeDir)}, max_file_store: 2GB, max_memory_store: 256MB }`,
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let log = '';

  const start = async () => {
    if (child) throw new Error('nats-server is already running');
    log = '';
    const proc = spawn(binary, ['-c', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    child = proc;
    liveChildren.add(proc);
    const append = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    proc.once('exit', () => {
      liveChildren.delete(proc);
      if (child === proc) child = undefined;
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child !== proc) throw new Error(`nats-server exited during start-up:\n${log}`);
      if (log.includes('Server is ready') && (await acceptsConnections(port))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`nats-server did not accept connections on port ${port} within 15 s:\n${log}`);
  };

  const stop = async ({ hard = false } = {}) => {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    storeDir,
    stop,
    start,
    async restart(options) {
      await stop(options);
      await start();
    },
    async dispose() {
      await stop({ hard: true });
      await rm(dir, { recursive: true, force: true });
    },
    log: () => log,
  };
}

/**
 * A describe block with a fresh nats-server for its tests (`server()` returns it). Without the
 * binary the block is skipped and its name says why.
 */
export function describeWithNats(name: string, body: (server: () => NatsServerHandle) => void): void {
  if (!findNatsServer()) {
    console.warn(
      `SKIPPED "${name}": nats-server is not installed (looked in /usr/sbin, /usr/bin, PATH, $MEMGEN_NATS_SERVER)`,
    );
    describe.skip(`${name} [SKIPPED: nats-server not installed]`, () => body(() => unavailable()));
    return;
  }
  describe(name, () => {
    let handle: NatsServerHandle | undefined;
    beforeAll(async () => {
      handle = await startNatsServer();
    });
    afterAll(async () => {
      await handle?.dispose();
    });
    body(() => handle ?? unavailable());
  });
}

function unavailable(): never {
  throw new Error('nats-server is not running (the suite setup failed or was skipped)');
}
