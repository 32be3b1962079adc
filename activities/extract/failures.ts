/** The extract and chunk stages' expected failures: non-retryable, each with a type and a message saying what to fix. */
import { ApplicationFailure } from '@temporalio/common';

export type ExtractFailureType =
  | 'InvalidSettings'
  | 'MissingEnvironmentVariable'
  | 'InvalidSourceUrl'
  | 'SourceNotFound'
  | 'InvalidSourceQuery'
  | 'InvalidSourceData'
  | 'EmptySource'
  | 'QuarantineThresholdExceeded';

export function extractFailure(type: ExtractFailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

/** The URL of a database source, from the environment variable its settings name (never from workflow input). */
export function urlFromEnv(urlEnv: string, kind: string): string {
  const url = process.env[urlEnv];
  if (url === undefined || url.trim() === '') {
    throw extractFailure(
      'MissingEnvironmentVariable',
      `extract: environment variable ${urlEnv} is not set on this worker; it must hold the ${kind} connection URL ` +
        `(set it in the cpu worker's environment, or name another variable in extract.source.urlEnv)`,
    );
  }
  return url;
}

/** A connection URL with its user and password removed, safe for logs, manifests and stage keys. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1').replace(/\?.*$/, '');
}
