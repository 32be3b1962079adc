/** Where serving keeps local copies of S3-stored model and index folders (a local store is read in place). */
import path from 'node:path';
import { loadStackSettings } from '../infra/stackSettings';

export const serveCacheRoot = (): string => path.join(loadStackSettings().genqHome, 'cache', 'serve');
