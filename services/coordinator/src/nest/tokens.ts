/**
 * DI tokens and control-plane subjects of the stage services. Every injection names its token:
 * the services run under tsx, which emits no decorator metadata to infer them from.
 */

/** The process's JetStreamServer: the one NATS connection, its job loops and control plane. */
export const BUS_TRANSPORT = Symbol('BUS_TRANSPORT');
/** The JobRunner that runs one job (SweepJobRunner; tests swap it). */
export const JOB_RUNNER = Symbol('JOB_RUNNER');
/** The StageMetrics behind /metrics. */
export const STAGE_METRICS = Symbol('STAGE_METRICS');
/** The ScienceMetrics that turn each job's measurements into run series on /metrics. */
export const SCIENCE_METRICS = Symbol('SCIENCE_METRICS');
/** Milliseconds a settled job's series stay on /metrics (ScienceMetrics; tests shorten it). */
export const SCIENCE_RETAIN_MS = Symbol('SCIENCE_RETAIN_MS');
/** Labels on every series of the process's /metrics (e.g. { gpu: '0' }); default none. */
export const METRIC_LABELS = Symbol('METRIC_LABELS');
/** The job group a StageServiceModule serves. */
export const STAGE_GROUP = Symbol('STAGE_GROUP');

export const CONTROL_ACTIONS = ['status', 'drain', 'health'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** Control-plane subject of a stage service: `memgen.control.<group>.<action>`. */
export function controlPattern(group: string, action: ControlAction): string {
  return `memgen.control.${group}.${action}`;
}
