/**
 * Configuration of a stage-service process: the job groups it serves (`--stages`) and, for a
 * service's own entry point (one Kubernetes deployment per group), everything from the environment.
 */
import { isIP } from 'node:net';
import { isJobGroup, JOB_GROUPS, type JobGroupName, loadStageModules } from '@memgen/pipeline';
import { pino } from 'pino';
import { busConnectionOptions, natsUrlFrom, positiveIntFrom } from '../bus-config.js';
import { type StartStageAppOptions, startStageApp } from './bootstrap.js';

/**
 * Parses a `--stages` list (comma-separated job groups; default all of them).
 * @throws Error naming the unknown group and the known ones
 */
export function parseJobGroups(value: string | undefined): JobGroupName[] {
  if (value === undefined || value.trim() === '') return [...JOB_GROUPS];
  const groups = value.split(',').map((s) => s.trim());
  for (const group of groups) {
    if (!isJobGroup(group)) {
      throw new Error(
        `--stages: unknown job group ${JSON.stringify(group)}; known: ${JOB_GROUPS.join(', ')}`,
      );
    }
  }
  return [...new Set(groups as JobGroupName[])];
}

/**
 * A service's options from the environment: MEMGEN_NATS_URL (required), MEMGEN_NATS_CREDS / USER /
 * PASS / TOKEN, MEMGEN_SLOTS (default 1), MEMGEN_ACK_WAIT_MS, MEMGEN_GRACE_S (default 30),
 * MEMGEN_HTTP_PORT (default 8080), MEMGEN_HTTP_HOST (default loopback), MEMGEN_MAX_MESSAGE_BYTES,
 * MEMGEN_METRICS_RETAIN_S (how long a finished job's run series stay on /metrics; default 120).
 * @throws Error naming the variable that is missing or wrong
 */
export function serviceOptionsFromEnv(
  name: string,
  groups: readonly JobGroupName[],
  env: NodeJS.ProcessEnv = process.env,
): StartStageAppOptions {
  const url = natsUrlFrom({}, env);
  if (url === undefined) throw new Error('MEMGEN_NATS_URL is required (e.g. nats://nats:4222)');
  const { MEMGEN_ACK_WAIT_MS: ackWait, MEMGEN_MAX_MESSAGE_BYTES: maxBytes } = env;
  return {
    groups,
    httpPort: positiveIntFrom('MEMGEN_HTTP_PORT', env.MEMGEN_HTTP_PORT, 8080),
    ...httpHostFromEnv(env),
    logger: pino({ name, level: env.MEMGEN_LOG_LEVEL ?? 'info' }),
    ...metricsRetainFromEnv(env),
    transport: {
      connection: busConnectionOptions(url, `${name}-${env.HOSTNAME ?? process.pid}`, {}, env),
      slots: positiveIntFrom('MEMGEN_SLOTS', env.MEMGEN_SLOTS, 1),
      graceMs: positiveIntFrom('MEMGEN_GRACE_S', env.MEMGEN_GRACE_S, 30) * 1000,
      ...(ackWait ? { policy: { ackWaitMs: positiveIntFrom('MEMGEN_ACK_WAIT_MS', ackWait, 30_000) } } : {}),
      ...(maxBytes ? { maxMessageBytes: positiveIntFrom('MEMGEN_MAX_MESSAGE_BYTES', maxBytes, 1) } : {}),
    },
  };
}

/** MEMGEN_HTTP_HOST as the app option, when set: the address /health and /metrics listen on. */
export function httpHostFromEnv(env: NodeJS.ProcessEnv): { httpHost?: string } {
  const host = env.MEMGEN_HTTP_HOST?.trim();
  if (host === undefined || host === '') return {};
  if (!isIP(host))
    throw new Error(`MEMGEN_HTTP_HOST: expected an IP address such as 0.0.0.0, got ${JSON.stringify(host)}`);
  return { httpHost: host };
}

/** MEMGEN_METRICS_RETAIN_S as the app option, when set. */
export function metricsRetainFromEnv(env: NodeJS.ProcessEnv): { metricsRetainMs?: number } {
  const s = env.MEMGEN_METRICS_RETAIN_S;
  return s === undefined
    ? {}
    : { metricsRetainMs: positiveIntFrom('MEMGEN_METRICS_RETAIN_S', s, 120) * 1000 };
}

/** Entry point of one stage service (`services/<name>/src/main.ts`): serves `group` until SIGTERM. */
export async function runStageService(name: string, group: JobGroupName): Promise<void> {
  // Stages registered by modules (MEMGEN_STAGE_MODULES) run here as in every other memgen process.
  await loadStageModules();
  await startStageApp(serviceOptionsFromEnv(name, [group]));
}
