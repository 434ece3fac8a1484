/**
 * Bus settings from flags and environment, one place for every command and service:
 * MEMGEN_NATS_URL, MEMGEN_NATS_CREDS (a .creds file), MEMGEN_NATS_NKEY (an nkey seed file),
 * MEMGEN_NATS_USER / MEMGEN_NATS_PASS, MEMGEN_NATS_TOKEN, MEMGEN_NATS_TLS_CA / _CERT / _KEY,
 * MEMGEN_NATS_REPLICAS (copies of the stream and buckets this process creates), MEMGEN_SLOTS. A flag beats the environment. Every connection a process opens (JetStream and the
 * control plane alike) is made from these options, so one set of credentials covers them all.
 */
import type { BusConnectionOptions } from '@memgen/bus';

export interface BusFlags {
  nats?: string;
  creds?: string;
}

/** The NATS URL from the flag or MEMGEN_NATS_URL, or undefined for local mode. */
export function natsUrlFrom(flags: BusFlags, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flags.nats ?? env.MEMGEN_NATS_URL;
  return url === undefined || url === '' ? undefined : url;
}

/**
 * Connection options for `url` with the credentials found in flags and environment.
 * @throws Error when the URL is not a nats:// (or tls://) URL.
 */
export function busConnectionOptions(
  url: string,
  name: string,
  flags: BusFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): BusConnectionOptions {
  const urls = url.split(',').map((u) => u.trim());
  for (const u of urls) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s]+$/.test(u)) {
      throw new Error(`NATS URL: expected nats://host:port, got ${JSON.stringify(u)}`);
    }
  }
  const creds = flags.creds ?? env.MEMGEN_NATS_CREDS;
  return {
    url: urls.length === 1 ? urls[0]! : urls,
    name,
    ...(creds ? { credsFile: creds } : {}),
    ...(env.MEMGEN_NATS_NKEY ? { nkeySeedFile: env.MEMGEN_NATS_NKEY } : {}),
    ...(env.MEMGEN_NATS_USER ? { user: env.MEMGEN_NATS_USER, pass: env.MEMGEN_NATS_PASS ?? '' } : {}),
    ...(env.MEMGEN_NATS_TOKEN ? { token: env.MEMGEN_NATS_TOKEN } : {}),
    ...tlsOptions(env),
    ...(env.MEMGEN_NATS_REPLICAS
      ? { replicas: positiveIntFrom('MEMGEN_NATS_REPLICAS', env.MEMGEN_NATS_REPLICAS, 1) }
      : {}),
  };
}

/** TLS files from MEMGEN_NATS_TLS_CA / _CERT / _KEY; a certificate needs its key. */
function tlsOptions(env: NodeJS.ProcessEnv): Pick<BusConnectionOptions, 'tls'> {
  const [caFile, certFile, keyFile] = [
    env.MEMGEN_NATS_TLS_CA,
    env.MEMGEN_NATS_TLS_CERT,
    env.MEMGEN_NATS_TLS_KEY,
  ];
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new Error(
      'MEMGEN_NATS_TLS_CERT and MEMGEN_NATS_TLS_KEY: set both (a client certificate and its key) or neither',
    );
  }
  if (!caFile && !certFile) return {};
  return { tls: { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile, keyFile: keyFile! } : {}) } };
}

/**
 * A positive integer from a flag or an environment variable, else `fallback`.
 * @throws Error naming the flag when the value is not a positive integer.
 */
export function positiveIntFrom(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}
