/**
 * connectBus against a real nats-server that requires TLS and a user: with the CA and the
 * credentials it connects; without the CA it is refused, naming the certificate problem.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNatsServer, type NatsServerHandle, startNatsServer } from '../../../test/support/nats-server.js';
import { connectBus } from './connection.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const runnable = hasOpenssl && findNatsServer() !== undefined;
if (!runnable) console.warn('SKIPPED "connectBus over TLS": needs openssl and nats-server');

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it (P-256, one day). */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const at = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=memgen-test-ca',
  );
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  return { ca: at('ca.pem'), cert: at('server.pem'), key: at('server.key') };
}

describe.skipIf(!runnable)('connectBus over TLS', () => {
  let dir: string;
  let server: NatsServerHandle;
  let ca: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memgen-tls-'));
    const files = await makeCertificates(dir);
    ca = files.ca;
    server = await startNatsServer({
      extraConfig: [
        `tls { cert_file: ${JSON.stringify(files.cert)}, key_file: ${JSON.stringify(files.key)} }`,
        'authorization { user: memgen, password: s3cret }',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects with the CA and the credentials, and round-trips a message', async () => {
    const nc = await connectBus({ url: server.url, user: 'memgen', pass: 's3cret', tls: { caFile: ca } });
    try {
      const sub = nc.subscribe('memgen.test.tls', { max: 1 });
      nc.publish('memgen.test.tls', 'over tls');
      for await (const m of sub) expect(m.string()).toBe('over tls');
      expect(nc.info?.tls_required).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('is refused without the CA (the certificate is not trusted) and without credentials', async () => {
    await expect(
      connectBus({ url: server.url, user: 'memgen', pass: 's3cret', maxReconnectAttempts: 0 }),
    ).rejects.toThrow(/certificate|self.signed|TLS/i);
    await expect(
      connectBus({ url: server.url, tls: { caFile: ca }, maxReconnectAttempts: 0 }),
    ).rejects.toThrow(/Authorization Violation/i);
  });
});
