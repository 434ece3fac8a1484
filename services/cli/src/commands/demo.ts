import type { Command } from 'commander';

/** `memgen demo` — trains a nano model for a few steps (filled in with libs/model). */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train a nano model briefly and show what it learned')
    .action(() => {
      process.stdout.write('demo: not yet wired\n');
    });
}
