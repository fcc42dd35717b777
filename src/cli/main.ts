/**
 * The `eddy` command line: `eddy` (with options or none) opens the interactive shell (repl/); `eddy serve`
 * serves SQL over HTTP and the Postgres protocol (src/server);
 * `eddy nexmark --events N --out DIR` writes Nexmark events as JSON lines (src/cli/nexmark.ts);
 * `eddy run script.sql [-i init.sql ...] [--define k=v]` runs a SQL script (statements in order; SELECT
 * results printed as they change; INSERT jobs run to completion), and prints errors with their position.
 * Uses only the public engine API. Subcommands are one `switch` in {@link main}.
 */
import { readFileSync } from 'node:fs';
import { EddyError, ErrorCode } from '../common/errors.js';
import type { ScriptIO } from './run-script.js';
import { SERVE_USAGE } from './serve.js';
import { NEXMARK_USAGE } from './nexmark.js';
import { TEST_USAGE } from '../ksql-test/usage.js';
import { onProcessInterrupt } from '../../repl/interrupt.js';

const USAGE = `Usage:
  eddy [-i init.sql ...] [-f script.sql | -e "statement"] [--define key=value ...] [--state-dir DIR [--fresh]]
      Opens the interactive shell (type HELP there). -i files (table DDL, SET) run first; -f runs a script
      and -e one statement, showing results as the shell does, then exits. Without a terminal (piped or
      redirected), prints plain text and reads statements from standard input. See docs/shell.md.
  eddy run <script.sql> [-i init.sql ...] [--define key=value ...] [--state-dir DIR [--fresh]]
      Runs the statements of a SQL script in order. -i files (table DDL, SET) run first.
      --state-dir keeps each INSERT job's state and checkpoints in DIR; a job resumes from its last
      checkpoint there (after a crash or a stop). --fresh discards that state first.
${SERVE_USAGE.replace(/^Usage:\n/, '')}
${TEST_USAGE}
${NEXMARK_USAGE.replace(/^Usage:\n/, '')}
  eddy --help | --version

Exit codes: 0 success, 1 SQL or job error, 2 usage error.`;

interface RunArgs {
  script: string;
  init: string[];
  defines: Record<string, string>;
  stateDir?: string;
  fresh: boolean;
}

function parseRunArgs(args: string[]): RunArgs | string {
  const init: string[] = [];
  const defines: Record<string, string> = {};
  let script: string | undefined;
  let stateDir: string | undefined;
  let fresh = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--state-dir') {
      stateDir = args[++i];
      if (!stateDir) return '--state-dir needs a directory';
    } else if (a === '--fresh') {
      fresh = true;
    } else if (a === '-i' || a === '--init') {
      const f = args[++i];
      if (!f) return `${a} needs a file`;
      init.push(f);
    } else if (a === '--define' || a === '-D') {
      const kv = args[++i];
      const eq = kv?.indexOf('=') ?? -1;
      if (!kv || eq <= 0) return `${a} needs key=value`;
      defines[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a.startsWith('--define=')) {
      const kv = a.slice('--define='.length);
      const eq = kv.indexOf('=');
      if (eq <= 0) return '--define needs key=value';
      defines[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a.startsWith('-')) {
      return `unknown option ${a}`;
    } else if (script === undefined) script = a;
    else return `unexpected argument ${a}`;
  }
  if (!script) return 'missing the script to run';
  if (fresh && !stateDir) return '--fresh needs --state-dir';
  return { script, init, defines, stateDir, fresh };
}

function readScript(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new EddyError({ code: ErrorCode.FILE_NOT_FOUND, message: `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` });
  }
}

/** The process's streams; Ctrl-C cancels the running query, a second Ctrl-C exits. */
const processIO: ScriptIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  onInterrupt: onProcessInterrupt,
  color: process.stderr.isTTY === true && !process.env['NO_COLOR'],
  // A progress line for running jobs on a terminal only: piped or redirected, nothing extra.
  ...(process.stderr.isTTY === true ? { terminalColumns: () => process.stderr.columns || 80 } : {}),
};

async function run(args: RunArgs): Promise<number> {
  let scripts: { text: string; name: string }[];
  try {
    scripts = [...args.init, args.script].map((name) => ({ name, text: readScript(name) }));
  } catch (err) {
    if (err instanceof EddyError) {
      processIO.err(err.render() + '\n');
      return 1;
    }
    throw err;
  }
  // The engine (with the SQL parser) loads only when a script runs: --help and --version stay instant.
  const [{ Eddy }, { runScripts }] = await Promise.all([import('../engine/eddy.js'), import('./run-script.js')]);
  let eddy;
  try {
    eddy = new Eddy({ variables: args.defines, stateDir: args.stateDir, fresh: args.fresh, lockStateDir: true });
  } catch (err) {
    // The state directory is locked by another process, or cannot be used.
    if (err instanceof EddyError) {
      processIO.err(err.render({ color: processIO.color }) + '\n');
      return 1;
    }
    throw err;
  }
  return runScripts(eddy, scripts, processIO);
}

/** `eddy [options]`: the interactive shell, loaded (with ink and the engine) only when it starts. */
async function shell(args: string[]): Promise<number> {
  const { parseShellArgs } = await import('../../repl/shell-args.js');
  const parsed = parseShellArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`eddy: ${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  const { runShell } = await import('../../repl/main.js');
  return runShell(parsed);
}

/** Runs the CLI with arguments (without `node` and the script path); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    case '--version':
    case '-v': {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
      process.stdout.write(`eddy ${pkg.version}\n`);
      return 0;
    }
    case 'serve': {
      const { serveCommand } = await import('./serve.js');
      return serveCommand(rest);
    }
    case 'test': {
      const { testCommand } = await import('../ksql-test/command.js');
      return testCommand(rest);
    }
    case 'nexmark': {
      const { nexmarkCommand } = await import('./nexmark.js');
      return nexmarkCommand(rest);
    }
    case 'run': {
      const parsed = parseRunArgs(rest);
      if (typeof parsed === 'string') {
        process.stderr.write(`eddy run: ${parsed}\n\n${USAGE}\n`);
        return 2;
      }
      return run(parsed);
    }
    default:
      // No subcommand: the shell, with its options (`eddy`, `eddy -i tables.sql`, `eddy -e "..."`).
      if (command === undefined || command.startsWith('-')) return shell(argv);
      process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}\n`);
      return 2;
  }
}
