/**
 * The one stage registry. Built-in stages are listed in ./builtin.ts; more can be registered at run
 * time (`registerStage`, or modules named in MEMGEN_STAGE_MODULES, which every memgen process —
 * the CLI and each sweep worker — loads at start). The order is the run order: by job group, and
 * inside a group after every upstream stage (./order.ts). The chain takes this list as an argument
 * (`runStages(registeredStages(), …)`): no stage module imports the registry.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_STAGES } from './builtin.js';
import type { StageDeclaration } from './declaration.js';
import type { JobGroupName } from './groups.js';
import { orderStages, stageIn, upstreamIn } from './order.js';

let extra: StageDeclaration[] = [];
let ordered: StageDeclaration[] | null = null;

/** Every stage in run order. */
export function registeredStages(): readonly StageDeclaration[] {
  ordered ??= orderStages([...BUILTIN_STAGES, ...extra]);
  return ordered;
}

/** @throws Error naming the stage and the known ones when no stage has this name. */
export function stageNamed(name: string): StageDeclaration {
  return stageIn(registeredStages(), name);
}

/** The stages a job of `group` runs, in run order. */
export function stagesOfGroup(group: JobGroupName): StageDeclaration[] {
  return registeredStages().filter((s) => s.group === group);
}

/** The names of the stages whose outputs `stage` reads. */
export function upstreamOf(stage: StageDeclaration): string[] {
  return upstreamIn(stage, registeredStages());
}

/**
 * Adds a stage (checked against the others at once).
 * @returns a function that removes it again
 * @throws Error when it does not fit (see orderStages)
 */
export function registerStage(stage: StageDeclaration): () => void {
  const next = [...extra, stage];
  ordered = orderStages([...BUILTIN_STAGES, ...next]);
  extra = next;
  return () => {
    extra = extra.filter((s) => s !== stage);
    ordered = null;
  };
}

/** The environment variable naming extra stage modules (comma-separated paths). */
export const STAGE_MODULES_ENV = 'MEMGEN_STAGE_MODULES';

/**
 * Imports each module named in MEMGEN_STAGE_MODULES and registers its default export, a stage
 * declaration. Call once at process start, before planning or running anything.
 * @throws Error naming the module that cannot be loaded or exports no declaration
 */
export async function loadStageModules(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const paths = (env[STAGE_MODULES_ENV] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const names: string[] = [];
  for (const path of paths) {
    const mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: StageDeclaration };
    const stage = mod.default;
    if (typeof stage?.name !== 'string' || typeof stage.run !== 'function') {
      throw new Error(`${STAGE_MODULES_ENV}: ${path} has no default export declaring a stage`);
    }
    if (!registeredStages().includes(stage)) registerStage(stage);
    names.push(stage.name);
  }
  return names;
}
