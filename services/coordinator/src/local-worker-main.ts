/**
 * A local-mode worker process (forked by LocalWorkerPool): loads the tensor backend once, then runs
 * the jobs its parent sends over IPC, one at a time, against the sweep's file artefact store, and
 * answers each with its outputs or the reason it failed (and whether a retry could help).
 */
import { join } from 'node:path';
import { errorText, isPermanentJobError, type JobMessage, parseJob } from '@memgen/bus';
import { loadStageModules } from '@memgen/pipeline';
import { initBackend } from '@memgen/tensor';
import { executeJob } from './execute-job.js';
import { FileArtefactStore } from './fs-artefacts.js';

export type ParentMessage = { type: 'run'; job: JobMessage; storeRoot: string; workRoot: string };
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'done'; jobId: string; outputs: JobMessage['inputs']; seconds: number }
  | { type: 'failed'; jobId: string; reason: string; permanent: boolean };

const send = (message: ChildMessage) => process.send?.(message);

// The sweep that forked this worker. Training runs steps back to back without letting IPC events
// in, so each step's progress report also checks that the parent is still there (an orphan is
// re-parented): a stopped sweep's worker must not keep the job's directory locked until its next
// evaluation.
const parentPid = process.ppid;
const exitIfOrphaned = () => {
  if (process.ppid !== parentPid) process.exit(0);
};

if (!process.send)
  throw new Error('local-worker-main must be started by LocalWorkerPool (it needs an IPC channel)');
await initBackend({ log: false });
// Stages registered by modules (MEMGEN_STAGE_MODULES) must be known here as in the coordinator.
await loadStageModules();

process.on('message', (message: ParentMessage) => {
  void (async () => {
    let jobId = '';
    const started = performance.now();
    try {
      const job = parseJob(message.job);
      jobId = job.id;
      const outputs = await executeJob(job, new FileArtefactStore(message.storeRoot), {
        workRoot: message.workRoot,
        // One directory per job: a sweep killed mid-training resumes the run where it stopped.
        resumeDir: join(message.workRoot, `job-${job.id}`),
        // The user's own sweep on the user's machine: model.init may name the user's own files.
        confined: false,
        progress: exitIfOrphaned,
        log: (line) => process.stderr.write(`[${job.stage} ${job.runId}] ${line}\n`),
      });
      send({ type: 'done', jobId, outputs, seconds: (performance.now() - started) / 1000 });
    } catch (err) {
      send({ type: 'failed', jobId, reason: errorText(err), permanent: isPermanentJobError(err) });
    }
  })();
});
// The parent going away means the sweep is over: exit rather than linger.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
