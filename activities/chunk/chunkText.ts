/**
 * The method's chunking rule, as a pure function. A cleaned description of at most `maxChars` characters is one
 * chunk; a longer one is split greedily into segments of at most `segmentChars` characters, each ending at a
 * word boundary (the space between two chunks belongs to neither). Only a single word longer than a segment is
 * cut, and never between the two halves of a surrogate pair (an emoji stays whole).
 *
 * Characters are UTF-16 code units, as String.length counts them. `start`/`end` are offsets into the CLEANED
 * text (see cleanText): `cleaned.slice(start, end) === text`.
 */
import type { ChunkSettings } from '../../workflows/settings/chunk';
import { cleanText } from './cleanText';

export interface TextChunk {
  index: number;
  start: number;
  end: number;
  text: string;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const SPACE = 32;

/** Splits already-cleaned text (single spaces, trimmed) into chunks. */
export function splitCleaned(clean: string, maxChars: number, segmentChars: number): TextChunk[] {
  if (clean.length === 0) return [];
  if (clean.length <= maxChars) return [{ index: 0, start: 0, end: clean.length, text: clean }];
  const chunks: TextChunk[] = [];
  let start = 0;
  while (start < clean.length) {
    let end: number;
    let next: number;
    if (clean.length - start <= segmentChars) {
      end = clean.length;
      next = end;
    } else {
      // The last space at or before start+segmentChars ends the chunk; a space AT that position still fits.
      const space = clean.lastIndexOf(' ', start + segmentChars);
      if (space > start) {
        end = space;
        next = space + 1;
      } else {
        // One word longer than a segment: cut it, but not inside a surrogate pair.
        end = start + segmentChars;
        if (isHighSurrogate(clean.charCodeAt(end - 1))) end -= 1;
        if (end === start) end = start + 2; // a segment of 1 cannot hold a pair; keep the pair whole
        next = end;
        if (clean.charCodeAt(next) === SPACE) next += 1;
      }
    }
    chunks.push({ index: chunks.length, start, end, text: clean.slice(start, end) });
    start = next;
  }
  return chunks;
}

/** Cleans a description (HTML, whitespace), then chunks it by the method's rule. */
export function chunkText(text: string, settings: Pick<ChunkSettings, 'maxChars' | 'segmentChars' | 'stripHtml'>): TextChunk[] {
  return splitCleaned(cleanText(text, settings.stripHtml), settings.maxChars, settings.segmentChars);
}
