/**
 * Starts the shell: `eddy [-i init.sql ...] [-f script.sql | -e "statement"] [--define k=v]
 * [--state-dir DIR [--fresh]]`. On a terminal it is the interactive ink shell (or, with -f/-e, runs the
 * script with live results, then exits); with output or input redirected it prints plain text.
 */
import { onProcessInterrupt } from './interrupt.js';
import { readFileSync } from 'node:fs';
import { render } from 'ink';
import { Eddy, EddyError, ErrorCode } from '../src/index.js';
import { History, historyFile } from './history.js';
import { PlainShell, type PlainIO } from './plain-output.js';
import { ShellController } from './shell-controller.js';
import type { ShellOptions } from './shell-args.js';
import { Shell } from './shell.js';

function readScript(path: string): { name: string; text: string } {
  try {
    return { name: path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new EddyError({ code: ErrorCode.FILE_NOT_FOUND, message: `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` });
  }
}

const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';

/** Whether to colour: a terminal, and NO_COLOR unset (https://no-color.org). */
function colorFor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env['NO_COLOR'];
}

/** Runs the shell; resolves to the exit code (0 ok, 1 SQL error). */
export async function runShell(options: ShellOptions): Promise<number> {
  let init: { name: string; text: string }[];
  let main: { name: string; text: string } | undefined;
  try {
    init = options.init.map(readScript);
    if (options.file) main = readScript(options.file);
  } catch (err) {
    process.stderr.write((err as EddyError).render() + '\n');
    return 1;
  }
  if (options.execute !== undefined) main = { name: '<-e>', text: options.execute };
  let eddy: Eddy;
  try {
    // The state directory is locked for this process, as `eddy run` and `eddy serve` lock it.
    eddy = new Eddy({ variables: options.defines, stateDir: options.stateDir, fresh: options.fresh, lockStateDir: true });
  } catch (err) {
    if (!(err instanceof EddyError)) throw err;
    process.stderr.write(err.render() + '\n');
    return 1;
  }
  const interactive = process.stdout.isTTY === true && (process.stdin.isTTY === true || main !== undefined);
  return interactive ? runInteractive(eddy, init, main) : runPlain(eddy, init, main);
}

async function runInteractive(eddy: Eddy, init: { name: string; text: string }[], main?: { name: string; text: string }): Promise<number> {
  const color = colorFor(process.stdout);
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const controller = new ShellController({
    eddy,
    history: new History(historyFile()),
    color,
    onExit: (code) => resolveExit(code),
  });
  // Bracketed paste: the terminal marks pasted text, so a pasted Tab is not taken for completion.
  process.stdout.write(BRACKETED_PASTE_ON);
  process.once('exit', () => process.stdout.write(BRACKETED_PASTE_OFF));
  const app = render(<Shell controller={controller} color={color} timeZone={() => eddy.settings.get('table.local-time-zone')} />, {
    exitOnCtrlC: false,
    patchConsole: false,
  });
  void controller.start({ init, main });
  const code = await exited;
  // Let the last output reach the terminal before ink lets go of it.
  await new Promise((r) => setTimeout(r, 50));
  app.unmount();
  await app.waitUntilExit();
  return code;
}

async function runPlain(eddy: Eddy, init: { name: string; text: string }[], main?: { name: string; text: string }): Promise<number> {
  const io: PlainIO = {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    color: colorFor(process.stderr),
    onInterrupt: onProcessInterrupt,
  };
  const shell = new PlainShell(eddy, io);
  let ok = true;
  for (const s of init) {
    ok = await shell.runText(s.text, s.name);
    if (!ok) break;
  }
  if (ok) ok = main ? await shell.runText(main.text, main.name) : await shell.runStream(process.stdin);
  if (ok) await shell.waitForJobs();
  await eddy.close();
  return ok ? 0 : 1;
}
