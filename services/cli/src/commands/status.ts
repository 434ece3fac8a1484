/**
 * `memgen status [--nats URL | --out DIR]`: live progress of sweeps — from KV (`sweep.<id>`, plus
 * dead letters) with NATS, or from DIR/.memgen/progress.json for a local sweep.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BusMessageError, connectBus, DeadLetterSchema, StateStore } from '@memgen/bus';
import { parseWith, readJson } from '@memgen/common';
import {
  busConnectionOptions,
  localStateDir,
  natsUrlFrom,
  type SweepProgress,
  SweepProgressSchema,
} from '@memgen/coordinator';
import type { Command } from 'commander';
import type { z } from 'zod';

interface StatusOptions {
  nats?: string;
  creds?: string;
  out?: string;
}

/** One line per sweep: done/total, dead, and what is running; then what each running job waits for. */
export function formatProgress(progress: SweepProgress & { at?: string }): string {
  const running = progress.running.map((r) => `${r.runId}:${r.stage}`).join(' ') || '-';
  const when = progress.at ? ` (updated ${progress.at})` : '';
  const waits = progress.running.flatMap((r) =>
    r.waitingFor ? [`\n  ${r.runId} ${r.stage} waits for ${r.waitingFor}`] : [],
  );
  return (
    `sweep ${progress.sweepId}: ${progress.done}/${progress.jobsTotal} jobs done, ${progress.dead} dead, ` +
    `${progress.units} units; running: ${running}${when}${waits.join('')}`
  );
}

export async function statusCommand(o: StatusOptions): Promise<string> {
  const url = natsUrlFrom(o);
  const lines: string[] = [];
  if (url === undefined) {
    if (o.out === undefined)
      throw new Error('give --nats URL (or MEMGEN_NATS_URL) or --out DIR of a local sweep');
    const path = join(localStateDir(o.out), 'progress.json');
    if (!existsSync(path)) throw new Error(`no local sweep progress at ${path}`);
    const progress = parseWith(
      SweepProgressSchema.omit({ at: true }),
      await readJson(path),
      `${path}: invalid progress record`,
    );
    lines.push(formatProgress(progress));
  } else {
    const nc = await connectBus({
      ...busConnectionOptions(url, 'memgen-status', o),
      maxReconnectAttempts: 0,
    });
    try {
      const state = await StateStore.open(nc);
      const sweeps = await state.keys('sweep.*');
      if (sweeps.length === 0) lines.push('no sweeps recorded');
      // A record that does not validate is named, never fatal: anyone with write rights may have put it.
      const read = <T>(key: string, schema: z.ZodType<T>) =>
        state.get(key, schema).catch((error: unknown) => {
          if (!(error instanceof BusMessageError)) throw error;
          lines.push(`invalid record ${key}: ${error.message}`);
          return null;
        });
      for (const key of sweeps) {
        const entry = await read(key, SweepProgressSchema);
        if (entry) lines.push(formatProgress(entry.value));
      }
      for (const key of await state.keys('dead.>')) {
        const dead = await read(key, DeadLetterSchema);
        if (dead) lines.push(`dead letter ${key}: ${dead.value.cause}: ${dead.value.reason}`);
      }
    } finally {
      await nc.close();
    }
  }
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  return text;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show the progress of sweeps (NATS KV, or a local sweep directory)')
    .option('--nats <url>', 'NATS server URL (default $MEMGEN_NATS_URL)')
    .option('--creds <file>', 'NATS credentials file (default $MEMGEN_NATS_CREDS)')
    .option('--out <dir>', 'a local sweep output directory')
    .action(async (o: StatusOptions) => {
      await statusCommand(o);
    });
}
