/**
 * Test entry point: the sweep, worker and status commands on their own commander program, so the
 * integration tests run them as real processes before (and independently of) their wiring into
 * `memgen`'s main.ts.
 */
import { Command } from 'commander';
import { registerStatusCommand } from '../../../cli/src/commands/status.js';
import { registerSweepCommand } from '../../../cli/src/commands/sweep.js';
import { registerWorkerCommand } from '../../../cli/src/commands/worker.js';

const program = new Command('memgen-test').showHelpAfterError();
registerSweepCommand(program);
registerWorkerCommand(program);
registerStatusCommand(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`memgen: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
