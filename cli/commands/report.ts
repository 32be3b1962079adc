import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import type { ArtifactRef } from '../../activities/artifacts/types';
import { htmlBeside, readReportJson } from '../../activities/evaluate/readReport';
import { formatReportTables } from '../../activities/evaluate/reportTable';
import { withClient } from '../withClient';

interface LocatedReport {
  json: string;
  html: string;
}

/** What `genq report` needs from a pipeline result; older runs have no report artifacts. */
interface RunWithReport {
  artifacts?: { report?: ArtifactRef; reportHtml?: ArtifactRef };
}

const looksLikeFile = (target: string): boolean => /^(s3|file):\/\//.test(target) || target.endsWith('.json') || existsSync(target);

/** A run's report.json and report.html, from its result in Temporal. */
async function reportOfRun(workflowId: string): Promise<LocatedReport> {
  return withClient(async (client) => {
    const handle = client.workflow.getHandle(workflowId);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new Error(`no run with id ${workflowId}; give a run id (genq run prints it) or the path or URI of a report.json`);
      throw err;
    }
    if (status === 'RUNNING') throw new Error(`run ${workflowId} is still running; it has no report yet (follow it with: genq status ${workflowId})`);
    if (status !== 'COMPLETED') throw new Error(`run ${workflowId} is ${status}; it has no report (only a completed run that reached evaluate has one)`);
    const result = (await handle.result()) as RunWithReport;
    const json = result.artifacts?.report;
    if (!json) throw new Error(`run ${workflowId} completed without a report: it stopped before evaluate (stopAfter) or ran before evaluation existed`);
    return { json: json.uri, html: result.artifacts?.reportHtml?.uri ?? htmlBeside(json.uri) };
  });
}

/** `genq report <run id | report.json>`: the evaluation's tables, and where report.html is. */
export function registerReport(program: Command): void {
  program
    .command('report <runOrReport>')
    .description("a run's evaluation (metrics per model, backwards search, TSDAE effect) and where its report.html is; give a run id or a report.json path/URI")
    .action(async (target: string) => {
      const located = looksLikeFile(target) ? { json: target, html: htmlBeside(target) } : await reportOfRun(target);
      const report = await readReportJson(located.json);
      console.log(formatReportTables(report));
      console.log('');
      console.log(`report.json  ${located.json}`);
      const htmlPath = located.html.startsWith('file://') ? `  (open ${fileURLToPath(located.html)})` : '';
      console.log(`report.html  ${located.html}${htmlPath}`);
    });
}
