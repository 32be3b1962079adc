/**
 * The TSDAE noise, as sentence-transformers' DenoisingAutoEncoderDataset makes it: each word is deleted with
 * probability `ratio`, and if that deletes every word one random word is kept. Words are split on
 * whitespace (fine for Spanish). The random numbers come from a small seeded generator (mulberry32) whose
 * seed mixes the run's seed with the text, so a text's noisy copy does not depend on which others were drawn.
 */
import { sha256Hex } from '../artifacts/hashing';
import { seededRandom } from '../seededRandom';

export function deleteWords(text: string, ratio: number, random: () => number): string {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return text;
  const kept = words.filter(() => random() >= ratio);
  if (kept.length === 0) return words[Math.floor(random() * words.length)]!;
  return kept.join(' ');
}

/** The noisy copy of `text` for a run seeded with `seed`. */
export function noisyCopy(text: string, ratio: number, seed: number): string {
  return deleteWords(text, ratio, seededRandom(Number.parseInt(sha256Hex(`${seed}:${text}`).slice(0, 8), 16)));
}
