/**
 * The .npy header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
 * This parses the small subset numpy writes (strings, True/False, tuples and lists of integers,
 * nested dict/list for structured dtypes only so we can name them in errors) and formats our own.
 */
import { CodecError } from './errors.js';

export type PyValue = string | number | boolean | PyValue[] | { [key: string]: PyValue };

/** Formats the header dict exactly as numpy does: keys in this order, `(n,)` for one dimension. */
export function formatNpyHeaderDict(descr: string, shape: readonly number[]): string {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
}

/** Parses a Python literal; throws a CodecError pointing at the character it could not read. */
export function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new CodecError('npy', `header: ${what} at character ${pos} of ${JSON.stringify(text.trim())}`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string) => {
    skipSpace();
    if (text[pos] !== ch) fail(`expected "${ch}"`);
    pos++;
  };

  const parseSequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    skipSpace();
    while (text[pos] !== close) {
      items.push(parseValue());
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail(`expected "," or "${close}"`);
      skipSpace();
    }
    pos++;
    return items;
  };

  const parseValue = (): PyValue => {
    skipSpace();
    const ch = text[pos];
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, pos + 1);
      if (end < 0) fail('unterminated string');
      const value = text.slice(pos + 1, end);
      if (value.includes('\\')) fail('escaped strings are not supported');
      pos = end + 1;
      return value;
    }
    if (ch === '(' || ch === '[') {
      pos++;
      return parseSequence(ch === '(' ? ')' : ']');
    }
    if (ch === '{') {
      pos++;
      const dict: { [key: string]: PyValue } = {};
      skipSpace();
      while (text[pos] !== '}') {
        const key = parseValue();
        if (typeof key !== 'string') fail('dict keys must be strings');
        expect(':');
        dict[key as string] = parseValue();
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== '}') fail('expected "," or "}"');
        skipSpace();
      }
      pos++;
      return dict;
    }
    const word = /^(True|False|-?\d+L?)/.exec(text.slice(pos));
    if (word === null) return fail('unexpected token');
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    // Python 2 era files may carry an 'L' suffix on longs.
    return Number.parseInt(word[0], 10);
  };

  const value = parseValue();
  skipSpace();
  if (pos !== text.length) fail('unexpected text after the literal');
  return value;
}
