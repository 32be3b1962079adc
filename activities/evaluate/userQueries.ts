/**
 * A user-supplied labelled query set: JSONL, one `{"query": "...", "relevant": ["listing-id", ...]}` per line,
 * from a local path or s3:// (opened as extract opens its source files, so its sha256 enters the stage key).
 * Lines with the same query text are merged (their relevant ids unioned), as for the held-out set.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactRef } from '../artifacts/types';
import { openSourceFile } from '../extract/sourceFile';
import { evaluateFailure } from './failures';
import type { EvalQuery } from './heldOutSet';
import { jsonLines, textField } from './jsonLines';

export interface UserQueries {
  ref: ArtifactRef;
  queries: EvalQuery[];
}

/** Hashes the file (its identity for the stage key) without parsing it. */
export async function identifyQueriesFile(pathOrUri: string): Promise<ArtifactRef> {
  const source = await openQueriesFile(pathOrUri);
  source.close();
  return source.ref;
}

async function openQueriesFile(pathOrUri: string) {
  try {
    return await openSourceFile(pathOrUri);
  } catch (err) {
    const reason = err instanceof ApplicationFailure ? err.message.replace(/^extract\.source\.path [^:]*: /, '') : (err as Error).message;
    throw evaluateFailure('InvalidQueriesFile', `queriesFile ${pathOrUri}: ${reason}`);
  }
}

export async function readUserQueries(pathOrUri: string): Promise<UserQueries> {
  const source = await openQueriesFile(pathOrUri);
  const label = `queriesFile ${pathOrUri}`;
  const fail = (message: string) => evaluateFailure('InvalidQueriesFile', `${label}${message}`);
  const byText = new Map<string, EvalQuery>();
  try {
    for await (const record of jsonLines(await source.open(), label, 'InvalidQueriesFile')) {
      const text = textField(record, 'query', label, 'InvalidQueriesFile').trim().replace(/\s+/g, ' ');
      const relevant = record.value.relevant;
      if (!Array.isArray(relevant) || relevant.length === 0) {
        throw fail(` line ${record.line}: field "relevant" must be a non-empty array of listing ids, got ${JSON.stringify(relevant) ?? 'nothing'}`);
      }
      const ids = relevant.map((id, i) => {
        if (typeof id === 'number' && Number.isFinite(id)) return String(id);
        if (typeof id !== 'string' || id.trim() === '') throw fail(` line ${record.line}: field "relevant[${i}]" must be a listing id (string), got ${JSON.stringify(id)}`);
        return id;
      });
      const existing = byText.get(text);
      if (existing) for (const id of ids) existing.relevant.add(id);
      else byText.set(text, { text, relevant: new Set(ids) });
    }
    await source.checkUnchanged();
  } finally {
    source.close();
  }
  if (byText.size === 0) throw fail(`: holds no queries; write one {"query": "...", "relevant": ["listing-id"]} per line`);
  return { ref: source.ref, queries: [...byText.values()] };
}
