/**
 * The query-generation prompt and the JSON schema passed as Ollama's `format`. Unlike the method's prompt
 * ("five distinct questions ... to understand it better", reply split by lines), this one asks for the
 * short searches a buyer or renter types, in the listing's language, as constrained JSON.
 */
import { z } from 'zod';
import type { Message } from 'ollama';

/** Part of the per-chunk cache key: bump whenever the prompt or the schema changes. */
export const PROMPT_VERSION = 1;

export type Language = 'es' | 'en';

const SPANISH = new Set(
  'de la el los las del y con en por para una un se al su sus muy es está piso vivienda casa habitaciones dormitorios baño baños cocina salón terraza calle zona planta garaje trastero ascensor exterior luminoso'.split(' '),
);
const ENGLISH = new Set(
  'the and with of in to is for this that has from on bedroom bedrooms bathroom kitchen living property apartment flat house villa views sea garden pool located'.split(' '),
);

/** A cheap guess from function words, so the prompt can name the language; undefined when unsure. */
export function guessLanguage(text: string): Language | undefined {
  let es = 0;
  let en = 0;
  for (const word of text.toLocaleLowerCase('es').split(/[^\p{L}]+/u)) {
    if (SPANISH.has(word)) es += 1;
    if (ENGLISH.has(word)) en += 1;
  }
  if (es === en) return undefined;
  return es > en ? 'es' : 'en';
}

const LANGUAGE_RULE: Record<Language | 'unknown', string> = {
  es: 'Write the queries in Spanish, the language of the listing. Example of the style: "piso con terraza en el centro".',
  en: 'Write the queries in English, the language of the listing. Example of the style: "two bedroom flat with sea views".',
  unknown: 'Write the queries in the same language as the listing.',
};

export interface PromptOptions {
  count: number;
  minChars: number;
  maxChars: number;
}

export function buildMessages(chunk: string, options: PromptOptions): Message[] {
  const language = guessLanguage(chunk);
  const system = [
    'You help a property portal. You get a fragment of a property listing.',
    `Write exactly ${options.count} different search queries that a home buyer or renter would type into the portal's search box, and that this listing answers.`,
    LANGUAGE_RULE[language ?? 'unknown'],
    `Each query is short: 2 to 10 words, at most ${options.maxChars} characters. Mention what people search for: kind of home, place, rooms, features, price.`,
    'Do not copy sentences from the listing. No numbering, no quotes, no explanations.',
    `Answer only with JSON: {"queries": [${options.count} strings]}.`,
  ].join('\n');
  const label = language === 'es' ? 'Anuncio' : 'Listing';
  return [
    { role: 'system', content: system },
    { role: 'user', content: `${label}:\n${chunk}` },
  ];
}

/** The reply's JSON schema, passed as `format`: Ollama's grammar then enforces the count and lengths. */
export function replyJsonSchema(options: PromptOptions): Record<string, unknown> {
  const reply = z.object({ queries: z.array(z.string().min(options.minChars).max(options.maxChars)).length(options.count) });
  return z.toJSONSchema(reply) as Record<string, unknown>;
}
