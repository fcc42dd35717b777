/** Command-line arguments of the shell: `eddy [-i init.sql ...] [-f script.sql] [-e "statement"] ...`. */

export interface ShellOptions {
  /** Files of DDL and SET statements run before the prompt. */
  readonly init: readonly string[];
  /** A script to run, then exit. */
  readonly file?: string;
  /** One statement to run, then exit. */
  readonly execute?: string;
  readonly defines: Readonly<Record<string, string>>;
  readonly stateDir?: string;
  readonly fresh: boolean;
}

/** Parses the shell's arguments; a string is a usage error. */
export function parseShellArgs(args: readonly string[]): ShellOptions | string {
  const init: string[] = [];
  const defines: Record<string, string> = {};
  let file: string | undefined;
  let execute: string | undefined;
  let stateDir: string | undefined;
  let fresh = false;
  const define = (kv: string | undefined, flag: string): string | undefined => {
    const eq = kv?.indexOf('=') ?? -1;
    if (!kv || eq <= 0) return `${flag} needs key=value`;
    defines[kv.slice(0, eq)] = kv.slice(eq + 1);
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-i' || a === '--init') {
      const f = args[++i];
      if (!f) return `${a} needs a file`;
      init.push(f);
    } else if (a === '-f' || a === '--file') {
      if (file !== undefined || execute !== undefined) return 'only one of -f or -e, once';
      file = args[++i];
      if (!file) return `${a} needs a file`;
    } else if (a === '-e' || a === '--execute') {
      if (file !== undefined || execute !== undefined) return 'only one of -f or -e, once';
      execute = args[++i];
      if (execute === undefined) return `${a} needs a statement`;
    } else if (a === '--define' || a === '-D') {
      const err = define(args[++i], a);
      if (err) return err;
    } else if (a.startsWith('--define=')) {
      const err = define(a.slice('--define='.length), '--define');
      if (err) return err;
    } else if (a === '--state-dir') {
      stateDir = args[++i];
      if (!stateDir) return '--state-dir needs a directory';
    } else if (a === '--fresh') {
      fresh = true;
    } else {
      return a.startsWith('-') ? `unknown option ${a}` : `unexpected argument ${a}`;
    }
  }
  if (fresh && !stateDir) return '--fresh needs --state-dir';
  return { init, file, execute, defines, stateDir, fresh };
}
