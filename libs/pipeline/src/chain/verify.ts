/**
 * Reading a run directory's artefacts as a consumer (`memgen compare`, the results book): a file is
 * used only when the stage record that lists it as an output (`stages/<stage>.json`) holds its
 * SHA-256, and that record still belongs to the run's chain: every record it read (`stages/<u>.json`
 * among its inputs) is the one there now, every artefact it read has the digest its writer's record
 * holds, and so on up to the first stage. So a replaced, truncated or foreign file, and a record left
 * behind when a stage upstream of it ran again, are refused with the file named. Only records and
 * the files read are digested, so an archive holding the records and a few files verifies as well
 * as the whole run. A file, or a record, that resolves (through a symlink) outside `root` is refused.
 */
import { readdir, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { digestOf } from './digests.js';
import { readStageRecord, STAGES_DIR, type StageRecord, stageRecordFile } from './records.js';

const RECORD_FILE = /^stages\/([^/]+)\.json$/;

/** Whether `path` (resolved) lies inside `root` (resolved). */
function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

export class RunVerifier {
  private records: Promise<Map<string, StageRecord>> | undefined;
  private readonly chains = new Map<string, Promise<void>>();

  /**
   * @param runDir the run directory
   * @param root the directory no file may resolve outside of (a sweep's; default the run's)
   */
  constructor(
    readonly runDir: string,
    readonly root: string = runDir,
  ) {}

  /**
   * The path of `file` (relative to the run directory) once it is verified.
   * @throws Error naming the file: missing, outside the root, in no record, changed since its stage
   *   wrote it, or written by a stage whose record is no longer the chain's
   */
  async file(file: string): Promise<string> {
    const path = await this.inside(file);
    const records = await this.allRecords();
    const owner = [...records.values()].find((r) => file in r.outputs);
    if (!owner) {
      throw new Error(
        `${path} is in no stage record of ${this.runDir} (${STAGES_DIR}/*.json): no stage of this run's chain wrote it`,
      );
    }
    if ((await digestOf(this.runDir, file)) !== owner.outputs[file]) {
      throw new Error(
        `${path} is not the file the ${owner.stage} stage wrote (its SHA-256 differs from ` +
          `${stageRecordFile(owner.stage)}): it was changed, replaced or truncated afterwards`,
      );
    }
    await this.chain(owner.stage);
    return path;
  }

  /**
   * The record of `stage`, verified against the chain.
   * @throws Error when the stage has no record here, or its record is not the chain's
   */
  async record<R = unknown>(stage: string): Promise<StageRecord<R>> {
    const record = (await this.allRecords()).get(stage);
    if (!record)
      throw new Error(`${join(this.runDir, stageRecordFile(stage))}: the ${stage} stage has no record`);
    await this.chain(stage);
    return record as StageRecord<R>;
  }

  /** Whether `stage` has a record here (verified or not). */
  async has(stage: string): Promise<boolean> {
    return (await this.allRecords()).has(stage);
  }

  /** Verifies every output `stage`'s record lists (each file, then the chain). */
  async outputs(stage: string): Promise<void> {
    for (const file of Object.keys((await this.record(stage)).outputs)) await this.file(file);
  }

  /** The resolved path of `file`. @throws Error when it is missing or resolves outside the root */
  private async inside(file: string): Promise<string> {
    const path = join(this.runDir, file);
    const real = await realpath(path).catch(() => null);
    if (real === null) throw new Error(`${path}: no such file`);
    const root = await realpath(this.root);
    if (!within(root, real)) throw new Error(`${path} resolves to ${real}, outside ${this.root}: refused`);
    return path;
  }

  private allRecords(): Promise<Map<string, StageRecord>> {
    this.records ??= this.readRecords();
    return this.records;
  }

  private async readRecords(): Promise<Map<string, StageRecord>> {
    const names = await readdir(join(this.runDir, STAGES_DIR)).catch(() => [] as string[]);
    const records = new Map<string, StageRecord>();
    for (const name of names.sort()) {
      const match = RECORD_FILE.exec(`${STAGES_DIR}/${name}`);
      if (!match || name.endsWith('.timing.json')) continue;
      await this.inside(`${STAGES_DIR}/${name}`);
      const record = (await readStageRecord(this.runDir, match[1]!))!;
      if (record.stage !== match[1]) {
        throw new Error(`${join(this.runDir, STAGES_DIR, name)} is the record of stage '${record.stage}'`);
      }
      records.set(record.stage, record);
    }
    return records;
  }

  private chain(stage: string): Promise<void> {
    let done = this.chains.get(stage);
    if (!done) {
      done = this.checkChain(stage);
      this.chains.set(stage, done);
    }
    return done;
  }

  /** Every input of `stage`'s record against the records (and files) of the run now. */
  private async checkChain(stage: string): Promise<void> {
    const records = await this.allRecords();
    const record = records.get(stage)!;
    const where = join(this.runDir, stageRecordFile(stage));
    const upstream: StageRecord[] = [];
    for (const [input, digest] of Object.entries(record.inputs)) {
      const up = RECORD_FILE.exec(input)?.[1];
      if (up === undefined) continue;
      if ((await digestOf(this.runDir, input)) !== digest || !records.has(up)) {
        throw new Error(
          `${where} is stale: the ${stage} stage read another ${input} than the one here now (the ${up} ` +
            `stage ran again, or one of the records came from another run), so its files are not this run's`,
        );
      }
      upstream.push(records.get(up)!);
      await this.chain(up);
    }
    for (const [input, digest] of Object.entries(record.inputs)) {
      if (RECORD_FILE.test(input)) continue;
      const writer = upstream.find((r) => input in r.outputs);
      const now = writer ? writer.outputs[input] : await digestOf(this.runDir, input);
      if (now !== digest) {
        const by = writer ? `than ${stageRecordFile(writer.stage)} holds` : 'than the file there now';
        throw new Error(`${where} is stale: it read ${input} with another SHA-256 ${by}`);
      }
    }
  }
}
