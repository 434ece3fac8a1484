import type { Command } from 'commander';

/** `memgen data …` — owned by the tasks library work (issue 4). */
export function registerDataCommand(_program: Command): void {}
