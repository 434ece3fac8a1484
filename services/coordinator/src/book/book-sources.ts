/**
 * A sweep directory as the results book reads it, trusting nothing it did not check: sweep.json in a
 * format this memgen reads; every run file the book uses verified before it is read — against the
 * run's stage records and chain (RunVerifier: the digest its stage wrote, a record that is still the
 * chain's) and, in an archive the book made (`archive.json`), against the digest the archive
 * recorded when it copied the file; and no file that resolves, through a symlink, outside the sweep
 * directory. A run file that is absent is the book's to report (an unfinished run), not an error.
 */
import { existsSync } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileDigest, parseWith, readJson } from '@memgen/common';
import { RunVerifier, STAGES_DIR } from '@memgen/pipeline';
import { z } from 'zod';

/** The sweep.json format this memgen reads; a sweep.json without the field is of this format. */
export const SWEEP_FORMAT = 1;
/** The manifest of an archived sweep: the SHA-256 of every file the archive holds. */
export const ARCHIVE_MANIFEST = 'archive.json';
export const ARCHIVE_FORMAT = 1;

const digest = z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256');

/** What the book reads of a sweep's sweep.json (its id names the sweep and its archived copy). */
export const sweepFileSchema = z.looseObject({
  format: z
    .literal(SWEEP_FORMAT, {
      error: (i) => `${JSON.stringify(i.input)} is not a format this memgen reads (${SWEEP_FORMAT})`,
    })
    .optional(),
  sweepId: z.string().regex(/^[A-Za-z0-9_-]+$/),
  spec: z.unknown(),
});
export type SweepFile = z.output<typeof sweepFileSchema>;

export const archiveManifestSchema = z.strictObject({
  format: z.literal(ARCHIVE_FORMAT, {
    error: (i) => `${JSON.stringify(i.input)} is not a format this memgen reads (${ARCHIVE_FORMAT})`,
  }),
  sweepId: z.string(),
  /** Every file of the archive but this one, by its path inside the archive. */
  files: z.record(z.string(), digest),
});
export type ArchiveManifest = z.output<typeof archiveManifestSchema>;

/** `path`, once it is known to resolve inside `root`. @throws Error naming it and where it leads */
export async function insideRoot(root: string, path: string): Promise<string> {
  const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]);
  const rel = relative(realRoot, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith(sep))
    throw new Error(`${path} resolves to ${real}, outside ${root}: refused`);
  return path;
}

/** The real path of `path`, which need not exist yet (its nearest existing ancestor resolved). */
async function realPathOf(path: string): Promise<string> {
  const full = resolve(path);
  const real = await realpath(full).catch(() => null);
  if (real !== null) return real;
  const parent = dirname(full);
  return parent === full ? full : join(await realPathOf(parent), basename(full));
}

/**
 * @throws Error when `outDir` is, or lies inside, one of `sources`: the book would write over the
 *   files it reads (a sweep's own results.json)
 */
export async function refuseOutInside(outDir: string, sources: readonly string[]): Promise<void> {
  const out = await realPathOf(outDir);
  for (const source of sources) {
    const rel = relative(await realPathOf(source), out);
    if (rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))) {
      throw new Error(
        `--out ${outDir} is inside ${source}, which the book reads: choose an output directory outside it`,
      );
    }
  }
}

/** `dirs` with each directory once (by its real path); `note` says which were given twice. */
export async function distinctDirs(dirs: readonly string[], note: (line: string) => void): Promise<string[]> {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    const real = await realPathOf(dir);
    const first = seen.get(real);
    if (first === undefined) seen.set(real, dir);
    else note(`${dir} is ${first}, given twice: read once`);
  }
  return [...seen.values()];
}

export class SweepSources {
  private readonly verifiers = new Map<string, RunVerifier>();

  private constructor(
    readonly dir: string,
    readonly sweep: SweepFile,
    /** The archive's manifest; null for a sweep directory itself. */
    readonly manifest: ArchiveManifest | null,
  ) {}

  /** @throws Error naming the directory or file when it is not a sweep this memgen reads */
  static async open(dir: string): Promise<SweepSources> {
    const path = join(dir, 'sweep.json');
    if (!existsSync(path)) throw new Error(`${dir}: no sweep.json (not a sweep directory)`);
    const manifestPath = join(dir, ARCHIVE_MANIFEST);
    const manifest = existsSync(manifestPath)
      ? parseWith(archiveManifestSchema, await readJson(await insideRoot(dir, manifestPath)), manifestPath)
      : null;
    const sources = new SweepSources(dir, { sweepId: '', spec: null }, manifest);
    await sources.checked('sweep.json');
    const sweep = parseWith(sweepFileSchema, await readJson(path), path);
    return new SweepSources(dir, sweep, manifest);
  }

  /**
   * The path of `file` of run `runId`, verified; null when the run has no such file.
   * @throws Error naming the file when it fails a check
   */
  async runFile(runId: string, file: string): Promise<string | null> {
    const rel = `runs/${runId}/${file}`;
    if (!(await lstat(join(this.dir, rel)).catch(() => null))) return null;
    const path = await this.checked(rel);
    const runDir = join(this.dir, 'runs', runId);
    if (existsSync(join(runDir, STAGES_DIR))) {
      // In an archive, the records themselves must be the ones it copied.
      if (this.manifest) await this.runRecords(runId);
      await this.verifier(runId).file(file);
    } else if (!this.manifest) {
      throw new Error(`${path}: ${runDir} has no stage records (${STAGES_DIR}/*.json) to verify it against`);
    }
    return path;
  }

  /** The stage records of run `runId` (paths inside the sweep), each checked; empty when it has none. */
  async runRecords(runId: string): Promise<string[]> {
    const names = await readdir(join(this.dir, 'runs', runId, STAGES_DIR)).catch(() => [] as string[]);
    const records: string[] = [];
    for (const name of names.sort()) {
      if (!name.endsWith('.json') || name.endsWith('.timing.json')) continue;
      const rel = `runs/${runId}/${STAGES_DIR}/${name}`;
      await this.checked(rel);
      records.push(rel);
    }
    return records;
  }

  /** Inside the sweep, and in an archive the file the archive copied. */
  private async checked(rel: string): Promise<string> {
    const path = await insideRoot(this.dir, join(this.dir, rel));
    if (!this.manifest) return path;
    const recorded = this.manifest.files[rel];
    if (recorded === undefined)
      throw new Error(`${path} is not in ${join(this.dir, ARCHIVE_MANIFEST)}: refused`);
    if ((await fileDigest(path)) !== recorded) {
      throw new Error(
        `${path} is not the file the archive copied (its SHA-256 differs from ${join(this.dir, ARCHIVE_MANIFEST)})`,
      );
    }
    return path;
  }

  private verifier(runId: string): RunVerifier {
    let v = this.verifiers.get(runId);
    if (!v) {
      v = new RunVerifier(join(this.dir, 'runs', runId), this.dir);
      this.verifiers.set(runId, v);
    }
    return v;
  }
}
