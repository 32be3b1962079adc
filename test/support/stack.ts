/** Test helpers shared by the suites that talk to the real local stack (started by infra/test.sh). */
import { randomBytes } from 'node:crypto';
import { loadStackSettings } from '../../infra/stackSettings';

export const stack = loadStackSettings();

/** A name no other test run uses, so suites never see each other's workflows, keys or tables. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
