/** The search page: one self-contained HTML file (server/searchPage.html), read from the project's source tree. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { findProjectRoot } from '../infra/stackSettings';

export const searchPagePath = (): string => path.join(findProjectRoot(), 'server', 'searchPage.html');

export async function readSearchPage(): Promise<string> {
  return readFile(searchPagePath(), 'utf8');
}
