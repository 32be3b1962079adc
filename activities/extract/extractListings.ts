/**
 * Stage 1, extract (an activity on the cpu queue): streams every row of the source, writes each good listing
 * as {id, text, fields} to `listings.jsonl` and each bad row, with its reason, to `quarantine.jsonl`. Nothing
 * holds more than one row at a time except the set of ids kept (for duplicates). The run fails, after saving
 * the quarantine to the store, only when the quarantined share exceeds `maxQuarantineShare`.
 */
import path from 'node:path';
import { openArtifactStore } from '../artifacts/openStore';
import { runStage, stagePrefix } from '../artifacts/stageRunner';
import type { StageResult } from '../artifacts/types';
import { extractSettingsSchema, type ExtractSettingsInput } from '../../workflows/settings/extract';
import { extractFailure } from './failures';
import { StageHeartbeat } from './heartbeat';
import { judgeRow, type Verdict } from './judgeRow';
import { LineWriter } from './lineWriter';
import { openSource } from './openSource';
import { previewRow } from './rowPreview';
import { parseStageSettings } from './settings';
import { quarantineReasons, type ExtractSummary, type QuarantineEntry, type QuarantineReason } from './types';

/** Bump when the stage writes something different for the same input, so old outputs are not reused. */
export const EXTRACT_STAGE_VERSION = 1;

export interface ExtractInput {
  /** Artifact store URI (s3://bucket/prefix or a folder); empty: the worker's default. */
  artifacts: string;
  /** Recompute even when a finished output with the same key exists. */
  force?: boolean;
  settings: ExtractSettingsInput;
}

export async function extractListings(input: ExtractInput): Promise<StageResult<ExtractSummary>> {
  const settings = parseStageSettings(extractSettingsSchema, input.settings, 'extract');
  const store = openArtifactStore(input.artifacts || undefined);
  const source = await openSource(settings);
  try {
    // The source's location is in the key, so a database setting pointed elsewhere is not taken for the old one.
    const spec = { stage: 'extract', stageVersion: EXTRACT_STAGE_VERSION, settings: { ...settings, sourceLocation: source.location }, inputs: source.inputs };
    return await runStage<ExtractSummary>(store, spec, { force: input.force }, async (workDir, key) => {
      const listingsPath = path.join(workDir, 'listings.jsonl');
      const quarantinePath = path.join(workDir, 'quarantine.jsonl');
      const listings = LineWriter.open(listingsPath);
      const quarantine = LineWriter.open(quarantinePath);
      const byReason = Object.fromEntries(quarantineReasons.map((r) => [r, 0])) as Record<QuarantineReason, number>;
      const keptIds = new Set<string>();
      const heartbeat = new StageHeartbeat();
      let read = 0;
      try {
        for await (const raw of source.rows()) {
          read += 1;
          let verdict: Verdict = raw.parseError
            ? { ok: false, reason: 'malformed_row', detail: raw.parseError }
            : judgeRow(raw.value, settings.fields, settings.minWords);
          if (verdict.ok) {
            if (keptIds.has(verdict.listing.id)) {
              verdict = { ok: false, reason: 'duplicate_id', detail: `id ${verdict.listing.id} was already kept from an earlier row` };
            } else {
              keptIds.add(verdict.listing.id);
              if (listings.push(JSON.stringify(verdict.listing))) await listings.flush();
            }
          }
          if (settings.limit !== undefined && keptIds.size >= settings.limit) break;
          if (!verdict.ok) {
            byReason[verdict.reason] += 1;
            const entry: QuarantineEntry = { reason: verdict.reason, detail: verdict.detail, rowNumber: raw.rowNumber, ...(raw.line === undefined ? {} : { line: raw.line }), row: previewRow(raw.value) };
            if (quarantine.push(JSON.stringify(entry))) await quarantine.flush();
          }
          if ((read & 1023) === 0) heartbeat.beat({ rows: read });
        }
        await listings.close();
        await quarantine.close();
      } catch (err) {
        listings.destroy();
        quarantine.destroy();
        throw err;
      }
      heartbeat.beatNow({ rows: read });

      const summary: ExtractSummary = {
        source: source.location,
        read,
        kept: listings.count,
        quarantined: quarantine.count,
        quarantinedByReason: byReason,
        quarantineShare: read === 0 ? 0 : quarantine.count / read,
      };
      if (read === 0) {
        throw extractFailure('EmptySource', `extract: the source (${source.location}) returned no rows; check the path, query, collection or filter`, summary);
      }
      if (summary.quarantineShare > settings.maxQuarantineShare) {
        // Save the evidence first: the failure is only useful if the bad rows can be looked at.
        const quarantineKey = `${stagePrefix('extract', key)}/quarantine.jsonl`;
        await store.putFile(quarantineKey, quarantinePath);
        throw extractFailure('QuarantineThresholdExceeded', quarantineMessage(summary, settings.maxQuarantineShare, store.uriOf(quarantineKey)), summary);
      }
      return {
        files: { 'listings.jsonl': { path: listingsPath, count: summary.kept }, 'quarantine.jsonl': { path: quarantinePath, count: summary.quarantined } },
        summary,
      };
    });
  } finally {
    source.close();
  }
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

function quarantineMessage(summary: ExtractSummary, threshold: number, quarantineUri: string): string {
  const reasons = Object.entries(summary.quarantinedByReason)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return (
    `extract: ${percent(summary.quarantineShare)} of the rows were quarantined (${summary.quarantined} of ${summary.read}), ` +
    `over the maxQuarantineShare threshold of ${percent(threshold)}; reasons: ${reasons}. The bad rows are in ${quarantineUri}. ` +
    'Fix the source or the field mapping (extract.fields.id / extract.fields.text; MongoDB ids are "_id"), or raise extract.maxQuarantineShare.'
  );
}
