/**
 * Job groups: how a sweep cuts a study into jobs, one group per stage service. A group is not a
 * stage: it names the stages one job runs together (declared on each stage), and the JetStream
 * subject `memgen.jobs.<group>` its jobs travel on.
 */
export const JOB_GROUPS = ['training', 'recording', 'fitting', 'steering'] as const;
export type JobGroupName = (typeof JOB_GROUPS)[number];

export function isJobGroup(name: string): name is JobGroupName {
  return (JOB_GROUPS as readonly string[]).includes(name);
}
