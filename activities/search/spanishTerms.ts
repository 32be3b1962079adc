/**
 * How GenQ's keyword side (BM25) splits Spanish text into terms: lower case, accents folded (so "salón" and
 * "salon" meet, as users type both), split on anything that is not a letter or digit, and the commonest
 * Spanish function words dropped. No stemming: a wrong stem costs more than a missed plural at this size.
 */
const STOPWORDS = new Set(
  (
    'a al ante bajo con contra de del desde durante e el en entre hacia hasta la las le les lo los mas me mi muy ' +
    'ni no o os para pero por que se sin sobre su sus te tu un una unas uno unos y ya es son esta este esto estos estas ' +
    'ese esa eso hay como cuando donde'
  ).split(' '),
);

export function spanishTerms(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term.length > 0 && !STOPWORDS.has(term));
}
