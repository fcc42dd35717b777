/** Reads the file of a `RUN SCRIPT 'file'`: relative to the working directory, refusing cycles and deep nesting. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EddyError, ErrorCode, type SourceText } from '../common/errors.js';
import type * as ast from '../parser/ast.js';

/** How many RUN SCRIPTs may run inside one another. */
export const MAX_SCRIPT_DEPTH = 16;

/**
 * The text of the file `stmt` names and its absolute path. `chain` holds the absolute paths of the scripts
 * running it (RUN SCRIPT inside RUN SCRIPT); a file already among them would run forever, so it is refused,
 * as is nesting deeper than {@link MAX_SCRIPT_DEPTH}. Errors point at the path in `source`.
 */
export function readScriptFile(stmt: ast.RunScriptStatement, chain: readonly string[], source: SourceText): { path: string; text: string } {
  const path = resolve(stmt.path);
  const fail = (message: string, hint?: string): never => {
    throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message, span: stmt.pathSpan, ...(hint ? { hint } : {}) }, source);
  };
  if (chain.includes(path)) {
    const cycle = [...chain.slice(chain.indexOf(path)), path].join(' -> ');
    fail(`RUN SCRIPT '${stmt.path}' would run itself again: ${cycle}`, 'a script cannot run a script that is running it');
  }
  if (chain.length >= MAX_SCRIPT_DEPTH) fail(`RUN SCRIPT nests more than ${MAX_SCRIPT_DEPTH} scripts deep`);
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EddyError(
      {
        code: ErrorCode.FILE_NOT_FOUND,
        message: `Cannot read script '${stmt.path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`,
        span: stmt.pathSpan,
        hint: `a relative path is read from the working directory (${process.cwd()})`,
      },
      source,
    );
  }
}
