/**
 * Helpers shared by the bus's integration tests and its crash-test child process: a pino logger
 * that records lines in memory, an event collector, a worker that notes its jobs and a polling wait.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { pino } from 'pino';
import type { BusCodec } from '../codec.js';
import type { BusLogger } from '../logger.js';
import { type EventMessage, type JobMessage, parseEvent } from '../schemas.js';
import { type ConsumeOptions, consumeJobs, type JobContext, type JobWorker } from '../transport/job-loop.js';
import type { WorkQueue } from '../work-queue.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A debug-level pino logger whose JSON lines land in `lines`. */
export function memoryLogger(): { logger: BusLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

/** Collects every event published for `stage` (all outcomes) until stop(). */
export function collectEvents(nc: NatsConnection, codec: BusCodec, stage: string) {
  const events: EventMessage[] = [];
  const sub = nc.subscribe(`memgen.events.${stage}.>`, {
    callback: (error, msg) => {
      if (!error) events.push(parseEvent(codec.decode(msg.data)));
    },
  });
  return { events, stop: () => sub.unsubscribe() };
}

/** A worker on `group` that completes every job, noting `note(job, context)` of each delivery in `noted`. */
export async function noteJobs<T>(
  queue: WorkQueue,
  group: string,
  note: (job: JobMessage, context: JobContext) => T,
  options: ConsumeOptions,
): Promise<{ worker: JobWorker; noted: T[] }> {
  const noted: T[] = [];
  const worker = await consumeJobs(
    queue,
    group,
    async (job, context) => {
      noted.push(note(job, context));
    },
    options,
  );
  return { worker, noted };
}

/** Polls `condition` every 25 ms until it is true; throws naming `what` after timeoutMs. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export { sleep } from '@memgen/common';
