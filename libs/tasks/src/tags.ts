/** The authors' opaque memorization tags: `"mem-"` + the first 8 hex digits of MD5 of the trigger text. */
import { createHash } from 'node:crypto';

/** `memTag("66+373") === "mem-ced71018"`; cipher triggers hash the 3-letter suffix. */
export function memTag(triggerText: string): string {
  return `mem-${createHash('md5').update(triggerText).digest('hex').slice(0, 8)}`;
}

/** The tag as written in a target and compared by the labellers: `<mem-xxxxxxxx>`. */
export function bracketTag(tag: string): string {
  return `<${tag}>`;
}
