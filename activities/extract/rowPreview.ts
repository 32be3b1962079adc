/**
 * What the quarantine keeps of a bad row: the row as read, with long strings cut, binary data described
 * rather than dumped, and the whole capped, so a quarantine of a million 1 MB rows stays readable.
 */
const MAX_STRING = 2000;
const MAX_JSON = 20_000;

function cutString(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // never leave half a surrogate pair
  return `${text.slice(0, end)}… [${text.length - end} more characters]`;
}

export function previewRow(value: unknown): unknown {
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = key === '' ? value : this[key];
    if (Buffer.isBuffer(original) || original instanceof Uint8Array) return `<binary, ${(original as Uint8Array).length} bytes>`;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') return cutString(v, MAX_STRING);
    return v;
  });
  if (json === undefined) return null;
  return json.length <= MAX_JSON ? (JSON.parse(json) as unknown) : { truncatedJson: cutString(json, MAX_JSON) };
}
