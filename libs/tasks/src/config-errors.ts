/**
 * Turns zod issues into messages that name the field, e.g. `color.hops: expected 1 or 2, got 3`,
 * so a bad config says exactly what to fix.
 */
import { SpecError } from '@memgen/common';
import type { z } from 'zod';

/** A config that failed validation; `issues` holds one line per problem. A spec error: never retried. */
export class TaskConfigError extends SpecError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(issues.join('\n'));
    this.name = 'TaskConfigError';
    this.issues = issues;
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** `['memPairs', 3, 0]` under `addition` → `addition.memPairs[3][0]`. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

function bound(kind: 'most' | 'least', limit: unknown, inclusive: boolean, origin: string): string {
  const unit = origin === 'array' ? ' items' : origin === 'string' ? ' characters' : '';
  const rel = inclusive ? `at ${kind}` : kind === 'most' ? 'less than' : 'more than';
  return `expected ${rel} ${String(limit)}${unit}`;
}

/** One human line per issue. Needs issues parsed with `{ reportInput: true }` to quote values. */
export function describeIssues(root: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const where = fieldPath(root, issue.path);
    const got = 'input' in issue ? `, got ${show(issue.input)}` : '';
    switch (issue.code) {
      case 'invalid_value':
        return [`${where}: expected ${issue.values.map((v) => show(v)).join(' or ')}${got}`];
      case 'invalid_type':
        return [`${where}: expected ${issue.expected}${got}`];
      case 'too_big':
        return [`${where}: ${bound('most', issue.maximum, issue.inclusive ?? true, issue.origin)}${got}`];
      case 'too_small':
        return [`${where}: ${bound('least', issue.minimum, issue.inclusive ?? true, issue.origin)}${got}`];
      case 'invalid_format':
        return [`${where}: ${issue.message}${got}`];
      case 'unrecognized_keys':
        return issue.keys.map((k) => `${fieldPath(where, [k])}: unknown field`);
      default:
        return [`${where}: ${issue.message}`];
    }
  });
}

/** Parses `input` with `schema`, throwing a {@link TaskConfigError} whose lines start with `root`. */
export function parseWithFieldErrors<S extends z.ZodType>(
  root: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw new TaskConfigError(describeIssues(root, result.error.issues));
  return result.data;
}
