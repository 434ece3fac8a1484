/**
 * The one stage registry. Built-in stages are listed in ./builtin.ts; more can be registered at run
 * time (`registerStage`, or modules named in MEMGEN_STAGE_MODULES, which every memgen process —
 * the CLI and each sweep worker — loads at start). The order is the run order: by job group, and
 * inside a group after every upstream stage.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinStages } from './builtin.js';
import type { StageDeclaration } from './declaration.js';
import { JOB_GROUPS, type JobGroupName } from './groups.js';

let extra: StageDeclaration[] = [];
let ordered: StageDeclaration[] | null = null;

const groupIndex = (s: StageDeclaration) => JOB_GROUPS.indexOf(s.group);

/** The names a declaration reads from: its upstream list, or every non-'all' stage before it. */
function dependencies(stage: StageDeclaration, all: readonly StageDeclaration[]): string[] {
  if (stage.upstream !== 'all') return [...stage.upstream];
  return all.filter((s) => s.upstream !== 'all' && groupIndex(s) <= groupIndex(stage)).map((s) => s.name);
}

/**
 * Orders `stages` for running and checks them.
 * @throws Error naming a duplicate name, an unknown upstream, an upstream in a later job group, or a cycle
 */
export function orderStages(stages: readonly StageDeclaration[]): StageDeclaration[] {
  const byName = new Map<string, StageDeclaration>();
  for (const s of stages) {
    if (byName.has(s.name)) throw new Error(`stage '${s.name}' is declared twice`);
    byName.set(s.name, s);
  }
  for (const s of stages) {
    for (const u of dependencies(s, stages)) {
      const up = byName.get(u);
      if (!up) throw new Error(`stage '${s.name}': unknown upstream stage '${u}'`);
      if (groupIndex(up) > groupIndex(s)) {
        throw new Error(
          `stage '${s.name}' (job group ${s.group}) reads '${u}', which runs later (job group ${up.group})`,
        );
      }
    }
  }
  const placed = new Set<string>();
  const order: StageDeclaration[] = [];
  const pending = [...stages].sort((a, b) => groupIndex(a) - groupIndex(b));
  while (pending.length > 0) {
    const next = pending.findIndex((s) =>
      dependencies(s, stages).every((u) => placed.has(u) || u === s.name),
    );
    if (next < 0)
      throw new Error(`stages ${pending.map((s) => `'${s.name}'`).join(', ')} read each other in a cycle`);
    const [stage] = pending.splice(next, 1);
    placed.add(stage!.name);
    order.push(stage!);
  }
  return order;
}

/** Every stage in run order. */
export function registeredStages(): readonly StageDeclaration[] {
  ordered ??= orderStages([...builtinStages(), ...extra]);
  return ordered;
}

/** @throws Error naming the stage and the known ones when no stage has this name. */
export function stageNamed(name: string): StageDeclaration {
  const found = registeredStages().find((s) => s.name === name);
  if (!found) {
    throw new Error(
      `unknown stage '${name}'; known: ${registeredStages()
        .map((s) => s.name)
        .join(', ')}`,
    );
  }
  return found;
}

/** The stages a job of `group` runs, in run order. */
export function stagesOfGroup(group: JobGroupName): StageDeclaration[] {
  return registeredStages().filter((s) => s.group === group);
}

/** The names of the stages whose outputs `stage` reads. */
export function upstreamOf(stage: StageDeclaration): string[] {
  return dependencies(stage, registeredStages());
}

/**
 * Adds a stage (checked against the others at once).
 * @returns a function that removes it again
 * @throws Error when it does not fit (see orderStages)
 */
export function registerStage(stage: StageDeclaration): () => void {
  const next = [...extra, stage];
  ordered = orderStages([...builtinStages(), ...next]);
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
