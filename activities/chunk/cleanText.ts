/**
 * Cleaning before chunking: HTML becomes plain text (html-to-text: tags dropped, entities decoded, list items
 * kept apart with '- '), then every run of whitespace, newlines included, becomes one space and the ends are
 * trimmed. Chunk offsets refer to this cleaned text, never to the raw description.
 */
import { compile } from 'html-to-text';

const htmlToText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

/** A tag or an entity; html-to-text costs ~40 µs a call, so plain text (nearly all of it) skips it. */
const LOOKS_LIKE_HTML = /<[a-zA-Z!/?]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});/;
/** Whitespace other than a single space, or two spaces in a row: what makes a rewrite necessary. */
const UNTIDY_SPACE = /[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}/;
const SPACE = 32;

const looksLikeHtml = (text: string): boolean => (text.includes('<') || text.includes('&')) && LOOKS_LIKE_HTML.test(text);

/** True when collapsing whitespace and trimming would change the text (checked first: most text is tidy already). */
const isUntidy = (text: string): boolean =>
  text.charCodeAt(0) === SPACE || text.charCodeAt(text.length - 1) === SPACE || UNTIDY_SPACE.test(text);

export function cleanText(text: string, stripHtml: boolean): string {
  const plain = stripHtml && looksLikeHtml(text) ? htmlToText(text) : text;
  return isUntidy(plain) ? plain.replace(/\s+/g, ' ').trim() : plain;
}
