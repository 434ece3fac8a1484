import { describe, expect, it } from 'vitest';
import { charVocab, createCharTokenizer } from './char.js';
import { tokenizerFromJSON } from './json.js';
import { EOS_ID, PAD_ID } from './types.js';
import { createWordTokenizer, wordVocab } from './word.js';

const word = () =>
  createWordTokenizer(wordVocab(['is', '.', 'what', 'color', '?', 'Bob', 'red', 'cat']), ['.', '?']);
const char = () => createCharTokenizer(charVocab('ab\n<>', ['<mem-1>']));

describe('word tokenizer', () => {
  it('puts pad at 0, eos at 1 and encodes words and punctuation as tokens', () => {
    const t = word();
    expect([t.padId, t.eosId, t.vocab[PAD_ID], t.vocab[EOS_ID]]).toEqual([0, 1, '<pad>', '<eos>']);
    expect(t.encode('Bob is cat. what color is Bob?')).toEqual([7, 2, 9, 3, 4, 5, 2, 7, 6]);
    expect(t.vocabSize).toBe(10);
  });

  it('round-trips texts and, as continuation, targets with their leading space', () => {
    const t = word();
    const s = 'Bob is red. Bob is cat. what color is Bob?';
    expect(t.decode(t.encode(s))).toBe(s);
    expect(t.encode(' red')).toEqual([8]);
    expect(t.decode(t.encode(' red'), { continuation: true })).toBe(' red');
    expect(t.decode([...t.encode(s), ...t.encode(' red')])).toBe(`${s} red`);
    expect(t.decode([8, EOS_ID, PAD_ID])).toBe('red');
  });

  it('names out-of-vocabulary words and non-canonical spacing', () => {
    const t = word();
    expect(() => t.encode('Bob is blue.')).toThrow(/"blue" is not in the vocabulary at offset 7/);
    expect(() => t.encode('Bob  is')).toThrow(/extra or trailing space/);
    expect(() => t.encode('Bob is red .')).toThrow(/extra or trailing space/);
    expect(() => t.encode('Bob is red.Bob')).toThrow(/expected one space before a word/);
    expect(() => t.encode('Bob\nis')).toThrow(/"Bob\\nis" is not in the vocabulary/);
    expect(() => t.encode('<pad>')).toThrow(/"<pad>" is not in the vocabulary/);
    expect(() => t.decode([99])).toThrow(/id 99 is outside the vocabulary \(size 10\)/);
  });

  it('rejects a vocabulary that could not round-trip', () => {
    expect(() => createWordTokenizer(wordVocab(['a b']), [])).toThrow(/contains whitespace/);
    expect(() => createWordTokenizer(wordVocab(['a', 'a']), [])).toThrow(/duplicate token "a"/);
    expect(() => createWordTokenizer(['x', '<eos>'], [])).toThrow(/must start with "<pad>", "<eos>"/);
  });
});

describe('char tokenizer', () => {
  it('encodes characters, with multi-character tokens matched first', () => {
    const t = char();
    expect(t.vocab).toEqual(['<pad>', '<eos>', '<mem-1>', '\n', '<', '>', 'a', 'b']);
    expect(t.encode('<mem-1>\nab<a>')).toEqual([2, 3, 6, 7, 4, 6, 5]);
    expect(t.decode(t.encode('<mem-1>\nab<a>'))).toBe('<mem-1>\nab<a>');
  });

  it('names the offending character and where it is', () => {
    expect(() => char().encode('abZb')).toThrow(/"Z" at offset 2 is not in the vocabulary \(in "abZb"\)/);
  });
});

describe('tokenizer JSON', () => {
  it('rebuilds identical tokenizers from toJSON, as object or text', () => {
    for (const t of [word(), char()]) {
      const back = tokenizerFromJSON(JSON.stringify(t.toJSON()));
      expect(back.toJSON()).toEqual(t.toJSON());
      expect(back.encode(t.scheme === 'word' ? 'Bob is red.' : 'ab\n')).toEqual(
        t.encode(t.scheme === 'word' ? 'Bob is red.' : 'ab\n'),
      );
    }
  });

  it('rejects malformed JSON naming the field', () => {
    expect(() =>
      tokenizerFromJSON({ format: 'memgen-tokenizer', version: 2, scheme: 'char', vocab: [] }),
    ).toThrow(/tokenizerFromJSON: field "version"/);
    expect(() =>
      tokenizerFromJSON({
        format: 'memgen-tokenizer',
        version: 1,
        scheme: 'word',
        vocab: ['<pad>', '<eos>'],
      }),
    ).toThrow(/attach/);
  });
});
