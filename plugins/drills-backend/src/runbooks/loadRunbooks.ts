import fs from 'fs/promises';
import path from 'path';
import { parseRunbook } from './parseRunbook';
import { Runbook, RunbookParseOptions, RunbookProblem } from './types';

/**
 * Reads every `*.md` file of `folder` except `README.md` (not sub-folders),
 * in file-name order. Each file is parsed on its own: a malformed one is
 * reported in `problems` (file names relative to the folder) and the others
 * still load. A folder that cannot be read rejects.
 */
export async function loadRunbooks(
  folder: string,
  options: RunbookParseOptions = {},
): Promise<{ runbooks: Runbook[]; problems: RunbookProblem[] }> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  const files = entries
    .filter(
      entry =>
        entry.isFile() &&
        /\.md$/i.test(entry.name) &&
        entry.name.toLowerCase() !== 'readme.md',
    )
    .map(entry => entry.name)
    .sort();

  const runbooks: Runbook[] = [];
  const problems: RunbookProblem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(path.join(folder, file), 'utf8');
    } catch (error) {
      problems.push({
        file,
        line: 1,
        message: `cannot read the file: ${(error as Error).message}`,
        level: 'error',
      });
      continue;
    }
    const result = parseRunbook(file, text, options);
    problems.push(...result.problems);
    if (result.runbook) runbooks.push(result.runbook);
  }
  return { runbooks, problems };
}
