/**
 * What a stage-service process does as it starts, against a real nats-server: /health and /metrics
 * listen on loopback unless the configuration (MEMGEN_HTTP_HOST) says otherwise, and the log gives
 * the address really bound; attempt directories that dead workers left in the temporary directory
 * are removed, a live worker's are kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { afterAll, describe, expect, it } from 'vitest';
import { type LogLine, memoryLogger } from '../../../../libs/bus/src/testing/bus-test-kit.js';
import { describeWithNats } from '../../../../test/support/nats-server.js';
import { startStageApp } from './bootstrap.js';
import { serviceOptionsFromEnv } from './service-env.js';

/** A pid no process has now: one that has just exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('MEMGEN_HTTP_HOST', () => {
  const base = { MEMGEN_NATS_URL: 'nats://nats:4222' };
  it('is loopback unless set, an IP address when set', () => {
    expect(serviceOptionsFromEnv('s', ['training'], base).httpHost).toBeUndefined();
    const all = serviceOptionsFromEnv('s', ['training'], { ...base, MEMGEN_HTTP_HOST: '0.0.0.0' });
    expect(all.httpHost).toBe('0.0.0.0');
    expect(() => serviceOptionsFromEnv('s', ['training'], { ...base, MEMGEN_HTTP_HOST: 'any' })).toThrow(
      'MEMGEN_HTTP_HOST: expected an IP address such as 0.0.0.0, got "any"',
    );
  });
});

describeWithNats('starting a stage app', (server) => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function start(httpHost?: string): Promise<{ app: INestApplication; lines: LogLine[] }> {
    const { logger, lines } = memoryLogger();
    const app = await startStageApp({
      groups: ['training'],
      transport: { connection: { url: server().url }, logger },
      httpPort: 0,
      logger,
      ...(httpHost === undefined ? {} : { httpHost }),
    });
    apps.push(app);
    return { app, lines };
  }

  const listening = (lines: LogLine[]) => lines.find((l) => l.msg === 'service app listening')?.url;

  it('listens on loopback by default and says so', async () => {
    const { app, lines } = await start();
    const { address, port } = app.getHttpServer().address();
    expect(address).toBe('127.0.0.1');
    expect(listening(lines)).toBe(`http://127.0.0.1:${port}`);
  }, 60_000);

  it('listens where the configuration says, and the log tells the truth', async () => {
    const { app, lines } = await start('0.0.0.0');
    const { address, port } = app.getHttpServer().address();
    expect(address).toBe('0.0.0.0');
    expect(listening(lines)).toBe(`http://0.0.0.0:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
  }, 60_000);

  it("removes dead workers' attempt directories from the temporary directory, and only theirs", async () => {
    const root = await mkdtemp(join(tmpdir(), 'memgen-start-'));
    const dead = `memgen-training-p${deadPid()}-Ab12Cd`;
    const live = `memgen-training-p${process.ppid}-Ef34Gh`;
    const other = 'memgen-sweep-nats-Ij56Kl';
    for (const name of [dead, live, other]) await mkdir(join(root, name, 'checkpoint'), { recursive: true });
    await writeFile(join(root, `memgen-fitting-p${deadPid()}-Mn78Op`), 'a file, not an attempt');
    const was = process.env.TMPDIR;
    process.env.TMPDIR = root;
    try {
      const { lines } = await start();
      expect(existsSync(join(root, dead))).toBe(false);
      expect((await readdir(root)).sort()).toEqual(
        [live, other, expect.stringMatching(/^memgen-fitting-p/)].sort(),
      );
      expect(
        lines.find((l) => l.msg === 'removed attempt directories of workers that are gone'),
      ).toMatchObject({ removed: [dead] });
    } finally {
      if (was === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = was;
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
