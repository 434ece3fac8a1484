/**
 * Job messages on a subject no stage serves (`memgen.jobs.<unknown>`, or a subject that is no
 * stage at all): no worker consumes them, so left alone they would sit in the work-queue stream
 * for ever. Each is recorded as a dead letter (`dead.<stage>.seq-<N>`, cause `unroutable`) and then
 * removed from the stream — the same end a worker gives a message it cannot run.
 */
import type { MsgRequest } from '@nats-io/jetstream';
import { DeadLetterSchema, MESSAGE_VERSION } from './schemas.js';
import { type StateStore, stateKey } from './state.js';
import { stageOfSubject } from './subjects.js';
import type { WorkQueue } from './work-queue.js';

export interface UnroutableMessage {
  subject: string;
  seq: number;
}

/** The stream's messages on subjects whose stage is not in `known`, oldest first. */
export async function findUnroutable(
  queue: WorkQueue,
  known: readonly string[],
): Promise<UnroutableMessage[]> {
  const info = await queue.jsm.streams.info(queue.stream, { subjects_filter: '>' });
  const subjects = Object.keys(info.state.subjects ?? {}).filter((s) => {
    const stage = stageOfSubject(s);
    return stage === undefined || !known.includes(stage);
  });
  const found: UnroutableMessage[] = [];
  for (const subject of subjects) {
    for (let seq = 1; ; ) {
      // STREAM.MSG.GET takes next_by_subj (nats-server ≥ 2.9); the client's type only lists seq / last_by_subj.
      const next = { next_by_subj: subject, seq } as unknown as MsgRequest;
      const msg = await queue.jsm.streams.getMessage(queue.stream, next);
      if (msg === null) break;
      found.push({ subject, seq: msg.seq });
      seq = msg.seq + 1;
    }
  }
  return found.sort((a, b) => a.seq - b.seq);
}

/**
 * Dead-letters and removes every message no stage in `known` serves; returns them.
 * @param known every job group some worker may serve (the registry's, plugins included)
 */
export async function termUnroutable(
  queue: WorkQueue,
  state: StateStore,
  known: readonly string[],
): Promise<UnroutableMessage[]> {
  const found = await findUnroutable(queue, known);
  for (const { subject, seq } of found) {
    const stage = stageOfSubject(subject) ?? 'unknown';
    await state.put(stateKey('dead', stage, `seq-${seq}`), DeadLetterSchema, {
      v: MESSAGE_VERSION,
      kind: 'dead-letter',
      stage,
      jobId: null,
      runId: null,
      cause: 'unroutable',
      reason: `no stage serves ${JSON.stringify(subject)} (stages: ${known.join(', ')})`,
      deliveries: 0,
      streamSeq: seq,
      at: new Date().toISOString(),
    });
    await queue.jsm.streams.deleteMessage(queue.stream, seq, false);
  }
  return found;
}
