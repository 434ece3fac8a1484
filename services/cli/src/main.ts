/** The `memgen` command: one sub-command per file in ./commands. */
import { loadStageModules } from '@memgen/pipeline';
import { BACKEND_NAMES } from '@memgen/tensor';
import { Command } from 'commander';
import { registerCompareCommand } from './commands/compare.js';
import { registerDataCommand } from './commands/data.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerLeversCommand } from './commands/levers.js';
import { registerNatsAuthCommand } from './commands/nats-auth.js';
import { registerResultsCommand } from './commands/results.js';
import { registerRunCommand } from './commands/run.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerTrainCommand } from './commands/train.js';
import { registerWorkerCommand } from './commands/worker.js';

const program = new Command('memgen')
  .description('Find, predict and steer the neurons that make a language model remember instead of reason.')
  .option(
    '--backend <name>',
    `tensor backend (${BACKEND_NAMES.join(', ')}); sets MEMGEN_BACKEND for this process and those it starts`,
  )
  .showHelpAfterError()
  .hook('preSubcommand', (root) => {
    const backend = root.opts<{ backend?: string }>().backend;
    if (backend !== undefined) process.env.MEMGEN_BACKEND = backend;
  });

registerDemoCommand(program);
registerDataCommand(program);
registerTrainCommand(program);
registerLeversCommand(program);
registerRunCommand(program);
registerCompareCommand(program);
registerSweepCommand(program);
registerResultsCommand(program);
registerWorkerCommand(program);
registerStatusCommand(program);
registerNatsAuthCommand(program);

// Stages registered by modules (MEMGEN_STAGE_MODULES) join the built-in ones before any command runs.
loadStageModules()
  .then(() => program.parseAsync(process.argv))
  .catch((err: unknown) => {
    process.stderr.write(`memgen: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
