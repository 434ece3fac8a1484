/**
 * A slot process of `memgen worker --gpus` dies with its parent. The parent forwards SIGTERM and
 * SIGINT, but a parent killed with SIGKILL forwards nothing, and its slots would go on taking jobs
 * for a worker nobody controls. So the parent names itself in MEMGEN_PARENT_PID, and each slot
 * checks that it is still that process's child: once re-parented (its parent is gone) it stops as
 * on SIGTERM — draining, its running job finished within the grace period or handed back.
 */

/** How often a slot looks at its parent. */
const CHECK_EVERY_MS = 500;

/**
 * Starts watching for the parent MEMGEN_PARENT_PID names (no-op when unset); `onOrphaned` runs once
 * when this process's parent is no longer that one. Returns a function that stops the watch.
 * @throws Error when MEMGEN_PARENT_PID is not a pid
 */
export function watchParent(
  env: NodeJS.ProcessEnv = process.env,
  onOrphaned: () => void = () => process.kill(process.pid, 'SIGTERM'),
): () => void {
  const text = env.MEMGEN_PARENT_PID;
  if (text === undefined || text === '') return () => {};
  if (!/^[1-9][0-9]*$/.test(text))
    throw new Error(`MEMGEN_PARENT_PID: expected a pid, got ${JSON.stringify(text)}`);
  const parent = Number(text);
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, CHECK_EVERY_MS);
  // The watch alone must not keep a drained worker alive.
  timer.unref();
  return () => clearInterval(timer);
}
