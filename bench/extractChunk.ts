/**
 * Benchmark: extract + chunk on N generated listings (default 1,000,000), through the real activities and a
 * local-folder artifact store under /tmp. Prints listings/s against a named naive baseline measured in the
 * same run, and peak RSS against the 300 MB target. Printed, not asserted.
 *
 *   node dist/bench/extractChunk.js [--listings N] [--baseline-listings M] [--keep]
 *
 * Baseline "naive-readFile": the obvious script: readFile the whole JSONL into one string, split('\n'),
 * JSON.parse every line, the same row checks, chunk with String.split(' ') and join, collect every output
 * line in arrays and writeFile them at the end. It holds the whole data set in memory (a 1 GB file does not
 * even fit in one V8 string), so it runs on the first M listings (default min(N, 200,000)).
 *
 * Generated data: a fixed-seed mix shaped like the development data in ../shared/data: 80% short descriptions
 * (100-800 characters), 20% long (1,100-2,000, split into ~100-character segments), 3% with HTML, and 0.3% bad
 * rows (duplicate ids, 'qwerty', empty) so the quarantine path runs too.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chunkListings } from '../activities/chunk';
import { extractListings } from '../activities/extract';
import { LineWriter } from '../activities/extract/lineWriter';
import { seededRandom } from '../activities/seededRandom';

const PEAK_RSS_TARGET_MB = 300;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer, got ${process.argv[at + 1]}`);
  return value;
}


const CITIES = ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Zaragoza', 'Málaga', 'Bilbao', 'Murcia', 'Palma', 'Alicante'];
const TYPES = ['piso', 'casa', 'chalet', 'estudio', 'loft', 'ático', 'dúplex', 'apartamento'];
const PHRASES = [
  'Piso exterior muy luminoso con balcón a la calle y vistas despejadas.',
  'Cocina reformada y equipada con placa de inducción, horno y lavavajillas.',
  'Dos baños completos, uno de ellos en suite con plato de ducha.',
  'Calefacción individual de gas natural y aire acondicionado por conductos.',
  'Edificio con ascensor, portero físico y fachada rehabilitada.',
  'Plaza de garaje y trastero incluidos en el precio.',
  'Urbanización con piscina comunitaria, zonas verdes y pista de pádel.',
  'A cinco minutos andando del metro, de colegios y del centro de salud.',
  'Salón comedor amplio con salida a una terraza orientada al sur.',
  'Dormitorios exteriores con armarios empotrados y suelos de tarima.',
  'Ventanas de aluminio con rotura de puente térmico y doble acristalamiento.',
  'Zona tranquila con comercio de barrio, mercado y parques cercanos.',
  'Ideal para familias o para inversores que busquen rentabilidad.',
  'Gastos de comunidad reducidos y sin derramas pendientes.',
  'Se alquila amueblado, con contrato de larga duración.',
  'Vivienda para entrar a vivir, recién pintada y con la instalación eléctrica nueva.',
];

/** Writes `count` listings as JSONL and returns the file's size. */
async function generate(file: string, count: number, seed: number): Promise<number> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const out = LineWriter.open(file);
  for (let i = 0; i < count; i += 1) {
    const target = random() < 0.2 ? 1100 + random() * 900 : 100 + random() * 700;
    let text = `${pick(TYPES)} en ${pick(CITIES)}, referencia ${i}.`;
    while (text.length < target) text += ` ${pick(PHRASES)}`;
    if (random() < 0.03) text = `<p>${text.replace('. ', '.</p>\n<p>&nbsp;')}</p>`;
    const bad = random();
    const id = bad < 0.001 && i > 0 ? `L${i - 1}` : `L${i}`; // a duplicate id
    if (bad >= 0.001 && bad < 0.002) text = 'qwerty';
    if (bad >= 0.002 && bad < 0.003) text = '';
    const line = JSON.stringify({
      id,
      description: text,
      price: Math.round(50_000 + random() * 900_000),
      rooms: 1 + Math.floor(random() * 5),
      city: pick(CITIES),
      operation: random() < 0.6 ? 'venta' : 'alquiler',
      property_type: pick(TYPES),
      area_m2: Math.round(30 + random() * 200),
    });
    if (out.push(line)) await out.flush();
  }
  await out.close();
  return (await stat(file)).size;
}

/** The naive baseline, end to end on one file; returns the number of chunks it wrote. */
async function naiveExtractChunk(file: string, outDir: string): Promise<number> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const seen = new Set<string>();
  const listings: string[] = [];
  const csv: string[] = ['id,document'];
  const jsonl: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { id?: unknown; description?: unknown };
    if (typeof row.id !== 'string' || typeof row.description !== 'string' || row.description.trim().split(/\s+/).length < 3) continue;
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    listings.push(JSON.stringify({ id: row.id, text: row.description }));
    const text = row.description.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    const segments: string[] = [];
    if (text.length <= 1024) segments.push(text);
    else {
      let current = '';
      for (const word of text.split(' ')) {
        if (current && current.length + 1 + word.length > 100) {
          segments.push(current);
          current = word;
        } else current = current ? `${current} ${word}` : word;
      }
      if (current) segments.push(current);
    }
    segments.forEach((segment, index) => {
      csv.push(`${row.id},"${segment.replace(/"/g, '""')}"`);
      jsonl.push(JSON.stringify({ chunk_id: `${row.id}#${index}`, listing_id: row.id, index, text: segment }));
    });
  }
  await writeFile(path.join(outDir, 'naive-listings.jsonl'), listings.join('\n'));
  await writeFile(path.join(outDir, 'naive-chunks.csv'), csv.join('\n'));
  await writeFile(path.join(outDir, 'naive-chunks.jsonl'), jsonl.join('\n'));
  return jsonl.length;
}

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

async function run(): Promise<void> {
  const count = option('listings', 1_000_000);
  const baselineCount = option('baseline-listings', Math.min(count, 200_000));
  const keep = process.argv.includes('--keep');
  const dir = await mkdtemp(path.join(tmpdir(), 'genq-bench-extract-chunk-'));
  try {
    const file = path.join(dir, 'listings.jsonl');
    let t = process.hrtime.bigint();
    const bytes = await generate(file, count, 42);
    console.log(`generated ${count} listings (${mb(bytes)} MB) in ${seconds(t).toFixed(1)} s: ${file}`);

    const artifacts = path.join(dir, 'artifacts');
    const cpuBefore = process.cpuUsage();
    t = process.hrtime.bigint();
    const extracted = await extractListings({ artifacts, settings: { source: { kind: 'jsonl', path: file } } });
    const extractS = seconds(t);
    t = process.hrtime.bigint();
    const chunked = await chunkListings({ artifacts, settings: {}, listings: extracted.files['listings.jsonl']! });
    const chunkS = seconds(t);
    const peakRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
    const cpu = process.cpuUsage(cpuBefore);
    const oursRate = count / (extractS + chunkS);
    console.log(
      `ours: extract ${extractS.toFixed(1)} s (kept ${extracted.summary.kept}, quarantined ${extracted.summary.quarantined}), ` +
        `chunk ${chunkS.toFixed(1)} s (${chunked.summary.chunks} chunks, ${chunked.summary.splitListings} listings split); ` +
        `both include committing the files to the store; CPU ${(cpu.user / 1e6).toFixed(1)} s user + ${(cpu.system / 1e6).toFixed(1)} s system`,
    );

    const baselineFile = path.join(dir, 'baseline-listings.jsonl');
    await generate(baselineFile, baselineCount, 42);
    t = process.hrtime.bigint();
    const naiveChunks = await naiveExtractChunk(baselineFile, dir);
    const naiveRate = baselineCount / seconds(t);
    console.log(`baseline naive-readFile: ${baselineCount} listings, ${naiveChunks} chunks in ${(baselineCount / naiveRate).toFixed(1)} s`);

    console.log(`bench extract-chunk: listings_per_s=${oursRate.toFixed(0)} listings/s baseline=${naiveRate.toFixed(0)} ratio=${(oursRate / naiveRate).toFixed(2)}`);
    console.log(`bench extract-chunk: peak_rss=${peakRssMb.toFixed(0)} MB baseline=${PEAK_RSS_TARGET_MB} ratio=${(peakRssMb / PEAK_RSS_TARGET_MB).toFixed(2)}`);
  } finally {
    if (keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
