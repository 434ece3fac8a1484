/**
 * One steering setting measured: every run of its plan decoded on the steering set, each beside
 * the unsteered labels, and the setting's numbers put together (used by the steer stage and by
 * steering across runs, compare/cross-steer.ts).
 */
import type { StudySpec } from '../../common/study-model.js';
import { familySite } from '../config.js';
import type { SettingSpec } from '../plan/ids.js';
import { controlStream } from '../plan/plan.js';
import type { RunRole, SettingPlan } from '../plan/setting-plan.js';
import type { SteeringSetting } from '../steering-file.js';
import { type DecodedRun, type SteeredRun, type SteeringRuns, steeredRun } from './runs.js';
import { directionResult, settingSummary } from './summary.js';

/** Decodes every run of a plan and puts the setting's numbers together. */
export function runSetting(
  spec: StudySpec,
  runs: SteeringRuns,
  base: DecodedRun,
  s: SettingSpec,
  plan: SettingPlan,
): SteeringSetting {
  const { seed } = spec.study;
  const decoded: Partial<Record<RunRole, DecodedRun>> = {};
  const steered: Partial<Record<RunRole, SteeredRun>> = {};
  for (const [role, ivs] of Object.entries(plan.runs) as [
    RunRole,
    NonNullable<SettingPlan['runs'][RunRole]>,
  ][]) {
    const run = runs.decode(ivs);
    decoded[role] = run;
    steered[role] = steeredRun(
      base.labels,
      run,
      spec.study.steer.bootstrap,
      controlStream(seed, s.id, `bootstrap-${role}`),
    );
  }
  const memToGen = directionResult(base.labels, decoded, 'mem');
  const genToMem = directionResult(base.labels, decoded, 'gen');
  const { runs: _plans, ...meta } = plan;
  return {
    ...settingSummary(s.id, steered, memToGen, genToMem, base.outcome.capabilityAccuracy),
    kind: s.family.kind,
    family: s.familyIndex,
    alpha: s.alpha,
    site: familySite(s.family),
    position: s.family.position,
    ...meta,
    runs: steered,
    memToGen,
    genToMem,
  };
}
