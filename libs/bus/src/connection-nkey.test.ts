/**
 * connectBus with an nkey seed file (MEMGEN_NATS_NKEY) against a real nats-server whose user is
 * that nkey's public key: the seed signs the server's challenge and gets in; another user's seed,
 * a missing file and a file that is no seed are refused, each naming what is wrong.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccount, createUser } from '@nats-io/nkeys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNatsServer, type NatsServerHandle, startNatsServer } from '../../../test/support/nats-server.js';
import { connectBus } from './connection.js';

const hasNats = findNatsServer() !== undefined;
if (!hasNats) console.warn('SKIPPED "connectBus with an nkey": nats-server is not installed');

describe.skipIf(!hasNats)('connectBus with an nkey', () => {
  const user = createUser();
  let server: NatsServerHandle;
  let dir: string;
  const seedFile = (name: string, text: string) => {
    const path = join(dir, name);
    return writeFile(path, text).then(() => path);
  };
  const connect = (nkeySeedFile: string) =>
    connectBus({ url: server.url, nkeySeedFile, maxReconnectAttempts: 0, connectTimeoutMs: 3000 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memgen-nkey-'));
    server = await startNatsServer({
      extraConfig: [`authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`],
    });
  }, 30_000);

  afterAll(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("connects with the user's seed (surrounding whitespace in the file is ignored)", async () => {
    const seed = new TextDecoder().decode(user.getSeed());
    expect(seed).toMatch(/^SU[A-Z2-7]+$/);
    const nc = await connect(await seedFile('user.nk', `\n${seed}\n`));
    await expect(nc.flush()).resolves.toBeUndefined();
    await nc.close();
  });

  it("is refused with another user's seed", async () => {
    const other = new TextDecoder().decode(createUser().getSeed());
    await expect(connect(await seedFile('other.nk', other))).rejects.toThrow(/Authorization Violation/i);
  });

  it('names a missing seed file', async () => {
    await expect(connect(join(dir, 'absent.nk'))).rejects.toThrow(/nkey seed file .*absent\.nk: ENOENT/);
  });

  it('names a file that holds no user seed (an account seed, or text)', async () => {
    const account = new TextDecoder().decode(createAccount().getSeed());
    for (const [name, text] of [
      ['account.nk', account],
      ['junk.nk', 'not a seed'],
    ] as const) {
      await expect(connect(await seedFile(name, text))).rejects.toThrow(
        new RegExp(`nkey seed file .*${name.replace('.', '\\.')}: not an nkey user seed`),
      );
    }
  });
});
