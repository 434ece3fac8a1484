/** DI tokens and control-plane subjects of the stage services (tokens: no decorator metadata under tsx). */

/** StageServiceOptions of one stage module. */
export const STAGE_OPTIONS = Symbol('STAGE_OPTIONS');
/** The process-wide StageRegistry. */
export const STAGE_REGISTRY = Symbol('STAGE_REGISTRY');
/** The function that starts a stage's bus workers (startSweepWorkers; tests swap it). */
export const START_WORKERS = Symbol('START_WORKERS');
/** The stage module's StageRunner. */
export const STAGE_RUNNER = Symbol('STAGE_RUNNER');

export const CONTROL_ACTIONS = ['status', 'drain', 'health'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** Control-plane pattern of a stage service: `memgen.control.<stage>.<action>`. */
export function controlPattern(stage: string, action: ControlAction): string {
  return `memgen.control.${stage}.${action}`;
}
