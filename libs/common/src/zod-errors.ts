/** Turning a failed zod parse into one readable error that names the field. */
import type { z } from 'zod';
import { SpecError } from './spec-error.js';

/** The first issue as `field "a.b": message` (`(root)` for the value itself), and its path. */
export function describeZodError(error: z.ZodError): { field: string; text: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '', text: error.message };
  const field = issue.path.map(String).join('.');
  return { field, text: `field "${field || '(root)'}": ${issue.message}` };
}

/**
 * Parses `value` with `schema`.
 * @param where what is parsed, e.g. a file name or "sweep spec"; starts the error message
 * @throws SpecError `${where}: field "…": …` (or what `makeError` builds) naming the first wrong field:
 *   a value that does not validate never will, so job transports never retry it
 */
export function parseWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: string,
  makeError: (message: string, field: string) => Error = (message) => new SpecError(message),
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, text } = describeZodError(result.error);
  throw makeError(`${where}: ${text}`, field);
}
