/**
 * The identity check of every intervention path: for each distinct (operation, site, position) of
 * the grid, its first setting at the identity analogue — add and scale at α = 0 over the setting's
 * own coordinates, ablations of no coordinates at the setting's own hooks — must reproduce every
 * unsteered output (conflict and capability items) exactly. A path that fails this is broken, and
 * nothing it would measure could be trusted, so the stage stops.
 */
import type { Intervention } from '@memgen/model';
import { familySite } from '../config.js';
import type { SettingSpec } from '../plan/ids.js';
import type { SettingPlan } from '../plan/setting-plan.js';
import type { DecodedRun, SteeringRuns } from './runs.js';

export interface AlphaZeroCheck {
  /** The setting whose path was checked. */
  setting: string;
  /** The path: operation, site, position (e.g. "add resid last"). */
  path: string;
  mismatches: number;
}

function pathOf(s: SettingSpec): string {
  const f = s.family;
  const site = familySite(f);
  const op = f.kind === 'mean-ablate' ? `mean-ablate (${f.to})` : f.kind;
  return `${op} ${site} ${f.position}`;
}

/**
 * Runs one identity check per path and returns them.
 * @throws Error naming the setting and the number of changed outputs when a path is not the identity
 */
export function alphaZeroChecks(
  grid: readonly SettingSpec[],
  runs: SteeringRuns,
  base: DecodedRun,
  identityPlan: (s: SettingSpec) => SettingPlan,
): AlphaZeroCheck[] {
  const firstOfPath = new Map<string, SettingSpec>();
  for (const s of grid) if (!firstOfPath.has(pathOf(s))) firstOfPath.set(pathOf(s), s);
  return [...firstOfPath].map(([path, s]) => {
    const ivs: Intervention[] = Object.values(identityPlan(s).runs).flat();
    const out = runs.decode(ivs);
    const mismatches = out.texts.filter((t, i) => t !== base.texts[i]).length;
    if (mismatches > 0) {
      throw new Error(
        `steering '${s.id}' at its identity (α = 0 / no coordinates) changed ${mismatches} outputs: ` +
          `the ${path} intervention path is broken`,
      );
    }
    return { setting: s.id, path, mismatches };
  });
}
