/** JSON Lines files (pairs.jsonl, curve.jsonl): one value per non-blank line. */
import { readFile } from 'node:fs/promises';

/**
 * Reads a .jsonl file.
 * @returns each non-blank line parsed, in order
 * @throws Error naming the file when it cannot be read, or the file and line that is not valid JSON
 */
export async function readJsonLines(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new Error(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`);
      }
    });
}
