/** A terminal progress bar for stage progress; plain lines when stderr is not a terminal (CI, logs). */
import type { Progress } from '@memgen/pipeline';
import { SingleBar } from 'cli-progress';

export interface ProgressView {
  update(p: Progress): void;
  log(line: string): void;
  stop(): void;
}

export function progressView(): ProgressView {
  const started = Date.now();
  if (!process.stderr.isTTY) {
    let lastPrint = 0;
    return {
      update(p) {
        // Without a terminal, one line every 15 s keeps logs readable.
        if (Date.now() - lastPrint < 15_000 && p.done !== p.total) return;
        lastPrint = Date.now();
        process.stderr.write(`[${p.stage}] ${p.done}/${p.total} ${p.detail ?? ''}\n`);
      },
      log: (line) => process.stderr.write(`${line}\n`),
      stop: () => {},
    };
  }
  const bar = new SingleBar({
    format: '{stage} [{bar}] {value}/{total} | ETA {eta_formatted} | {detail}',
    hideCursor: true,
    etaBuffer: 50,
  });
  let startedBar = false;
  return {
    update(p) {
      if (!startedBar) {
        bar.start(p.total, p.done, { stage: p.stage, detail: '' });
        startedBar = true;
      }
      bar.setTotal(p.total);
      bar.update(p.done, { stage: p.stage, detail: p.detail ?? '' });
    },
    log(line) {
      if (startedBar) bar.stop();
      process.stderr.write(`${line}\n`);
      startedBar = false;
      void started;
    },
    stop: () => bar.stop(),
  };
}
