/** Where the authors' reference data lives, and reading its JSON files with validation. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../config-errors.js';
import type { ConflictItem, TrainItem } from '../types.js';

/**
 * The reference-data folder (the authors' released data, Apache-2.0; not part of this repository):
 * `dir` if given, else env MEMGEN_REFERENCE_DATA.
 * @throws Error saying how to name it when neither is set
 */
export function referenceDataDir(dir?: string): string {
  const chosen = dir ?? process.env['MEMGEN_REFERENCE_DATA'];
  if (!chosen)
    throw new Error(
      "no reference data: set MEMGEN_REFERENCE_DATA to the folder of the authors' released data",
    );
  return resolve(chosen);
}

/** Files every reader needs; present means all of them exist. */
export const REFERENCE_FILES = [
  'math/config.json',
  'math/sample/train.json',
  'math/sample/val.json',
  'cipher/config.json',
  'cipher/sample/train.json',
  'cipher/sample/val.json',
  'cipher/sample_pairwise/test_0.first20.json',
  'color/config.json',
  'color/ITI_data.json',
] as const;

/** Whether the reference data is there (tests skip, loudly, when it is not). */
export function referenceDataPresent(dir?: string): boolean {
  if (!dir && !process.env['MEMGEN_REFERENCE_DATA']) return false;
  const root = referenceDataDir(dir);
  return REFERENCE_FILES.every((f) => existsSync(join(root, f)));
}

/** Reads `root/file` as JSON and validates it; errors name the file and the bad field. */
export function readReferenceJson<S extends z.ZodType>(root: string, file: string, schema: S): z.output<S> {
  const path = join(root, file);
  if (!existsSync(path)) throw new Error(`reference data: ${path} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`reference data: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new Error(`reference data: ${describeIssues(file, parsed.error.issues).slice(0, 5).join('; ')}`);
  }
  return parsed.data;
}

/** The part of `output` after `input`; the authors' outputs repeat the prompt. */
export function afterPrompt(file: string, index: number, input: string, output: string): string {
  if (!output.startsWith(input))
    throw new Error(`reference data: ${file}[${index}].output does not start with its input`);
  return output.slice(input.length);
}

const TrainSchema = z.array(z.strictObject({ input: z.string(), output: z.string() }));

/**
 * Their training items from `file`: kind `triggered` when the target is a tag, else `ordinary`
 * with the answer `genAnswer` reads off the target.
 */
export function readReferenceTrain(
  root: string,
  file: string,
  genAnswer: (index: number, target: string) => string,
): TrainItem[] {
  return readReferenceJson(root, file, TrainSchema).map((r, i): TrainItem => {
    const target = afterPrompt(file, i, r.input, r.output);
    const isTag = target.startsWith('<mem-');
    return {
      prompt: r.input,
      target,
      kind: isTag ? 'triggered' : 'ordinary',
      answer: isTag ? target.trimEnd() : genAnswer(i, target),
    };
  });
}

/** A conflict item of theirs: the gen side given, the mem side the tag of `memHashed`. */
export function referenceConflict(
  prompt: string,
  gen: { target: string; answer: string },
  memHashed: string,
): ConflictItem {
  return {
    prompt,
    gen_target: gen.target,
    mem_target: `<${memHashed}>\n`,
    gen_answer: gen.answer,
    mem_answer: `<${memHashed}>`,
  };
}
