/** Reads a run's JSON config file, with an error that names the file and what is wrong with it. */
import { readFileSync } from 'node:fs';
import type { PipelineInput } from '../workflows/settings/pipeline';

export function readRunConfig(file: string): PipelineInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as PipelineInput;
  } catch (err) {
    throw new Error(`config ${file} is not valid JSON: ${(err as Error).message}`);
  }
}
