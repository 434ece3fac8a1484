/**
 * Ordering and checking a list of stage declarations, with nothing registered: the chain
 * (../chain) works on any ordered list, the registry (./registry.ts) orders its own with these.
 */
import type { StageDeclaration } from './declaration.js';
import { JOB_GROUPS } from './groups.js';

const groupIndex = (s: StageDeclaration) => JOB_GROUPS.indexOf(s.group);

/** The names `stage` reads from in `all`: its upstream list, or every non-'all' stage up to its group. */
export function upstreamIn(stage: StageDeclaration, all: readonly StageDeclaration[]): string[] {
  if (stage.upstream !== 'all') return [...stage.upstream];
  return all.filter((s) => s.upstream !== 'all' && groupIndex(s) <= groupIndex(stage)).map((s) => s.name);
}

/** @throws Error naming the stage and the known ones when no stage of `stages` has this name. */
export function stageIn(stages: readonly StageDeclaration[], name: string): StageDeclaration {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`unknown stage '${name}'; known: ${stages.map((s) => s.name).join(', ')}`);
  return found;
}

/** Checks each stage's upstream names: known, and not in a later job group. */
function checkUpstream(stages: readonly StageDeclaration[], byName: Map<string, StageDeclaration>): void {
  for (const s of stages) {
    for (const u of upstreamIn(s, stages)) {
      const up = byName.get(u);
      if (!up) throw new Error(`stage '${s.name}': unknown upstream stage '${u}'`);
      if (groupIndex(up) > groupIndex(s)) {
        throw new Error(
          `stage '${s.name}' (job group ${s.group}) reads '${u}', which runs later (job group ${up.group})`,
        );
      }
    }
  }
}

/**
 * Orders `stages` for running and checks them: by job group, and inside a group after every
 * upstream stage.
 * @throws Error naming a duplicate name, an unknown upstream, an upstream in a later job group, or a cycle
 */
export function orderStages(stages: readonly StageDeclaration[]): StageDeclaration[] {
  const byName = new Map<string, StageDeclaration>();
  for (const s of stages) {
    if (byName.has(s.name)) throw new Error(`stage '${s.name}' is declared twice`);
    byName.set(s.name, s);
  }
  checkUpstream(stages, byName);
  const placed = new Set<string>();
  const order: StageDeclaration[] = [];
  const pending = [...stages].sort((a, b) => groupIndex(a) - groupIndex(b));
  while (pending.length > 0) {
    const next = pending.findIndex((s) => upstreamIn(s, stages).every((u) => placed.has(u) || u === s.name));
    if (next < 0)
      throw new Error(`stages ${pending.map((s) => `'${s.name}'`).join(', ')} read each other in a cycle`);
    const [stage] = pending.splice(next, 1);
    placed.add(stage!.name);
    order.push(stage!);
  }
  return order;
}
