/**
 * `eddy nexmark --events N --out DIR [--rate R] [--<option> value ...]`: writes the Nexmark events of the
 * `nexmark` connector (the same events, for the same options) as JSON lines, one file per kind, so that other
 * engines (Flink's filesystem json source, Eddy's) can be fed identical data.
 */
import { EddyError } from '../common/errors.js';
import { NEXMARK_OPTIONS, nexmarkConfig } from '../connectors/nexmark/config.js';
import { writeNexmarkFiles } from '../connectors/nexmark/json-lines.js';

/** Options of the generator that `eddy nexmark` takes as `--<key> value` (those that decide the events). */
const GENERATOR_KEYS = [
  'person.proportion',
  'auction.proportion',
  'bid.proportion',
  'person.avg-size',
  'auction.avg-size',
  'bid.avg-size',
  'bid.hot-ratio.auctions',
  'bid.hot-ratio.bidders',
  'auction.hot-ratio.sellers',
];

export const NEXMARK_USAGE = `Usage:
  eddy nexmark --events N --out DIR [--rate R] [--<generator option> value ...]
      Writes N Nexmark events as JSON lines: DIR/person.jsonl, DIR/auction.jsonl and DIR/bid.jsonl, with
      the columns of the person, auction and bid views and times as 'yyyy-MM-dd HH:mm:ss.SSS' (UTC). They
      are the events the 'nexmark' connector generates with the same options ('events.num' = N,
      'first-event.rate' = R), so queries over the files give the results of queries over the views.
      --rate R       events per second of event time (first-event.rate; default 10000)
      generator options (as the connector's, default in parentheses):
${GENERATOR_KEYS.map((k) => `      --${k.padEnd(26)} ${NEXMARK_OPTIONS.find((o) => o.key === k)!.description} (${NEXMARK_OPTIONS.find((o) => o.key === k)!.defaultValue})`).join('\n')}`;

interface NexmarkArgs {
  readonly out: string;
  readonly options: Record<string, string>;
}

/** Parses `eddy nexmark` arguments; a string is a usage error. */
export function parseNexmarkArgs(args: readonly string[]): NexmarkArgs | string {
  const options: Record<string, string> = {};
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => (eq > 0 ? a.slice(eq + 1) : args[++i]);
    if (flag === '--events') {
      const v = value();
      if (v === undefined || !/^\d[\d_]*$/.test(v) || Number(v.replace(/_/g, '')) < 1) return `--events needs a positive whole number${v === undefined ? '' : `, got '${v}'`}`;
      options['events.num'] = v.replace(/_/g, '');
    } else if (flag === '--out') {
      out = value();
      if (!out) return '--out needs a directory';
    } else if (flag === '--rate') {
      const v = value();
      if (v === undefined || !/^\d[\d_]*$/.test(v) || Number(v.replace(/_/g, '')) < 1) return `--rate needs a positive whole number (events per second)${v === undefined ? '' : `, got '${v}'`}`;
      options['first-event.rate'] = v.replace(/_/g, '');
      options['next-event.rate'] = v.replace(/_/g, '');
    } else if (flag.startsWith('--') && GENERATOR_KEYS.includes(flag.slice(2))) {
      const v = value();
      if (v === undefined) return `${flag} needs a value`;
      options[flag.slice(2)] = v;
    } else if (flag.startsWith('-')) {
      return `unknown option ${flag}`;
    } else {
      return `unexpected argument '${a}'`;
    }
  }
  if (options['events.num'] === undefined) return 'missing --events N';
  if (out === undefined) return 'missing --out DIR';
  return { out, options };
}

/** Runs `eddy nexmark`; resolves to the exit code. */
export async function nexmarkCommand(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(NEXMARK_USAGE + '\n');
    return 0;
  }
  const parsed = parseNexmarkArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`eddy nexmark: ${parsed}\n\n${NEXMARK_USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = nexmarkConfig(parsed.options);
  } catch (err) {
    if (err instanceof EddyError) {
      process.stderr.write(`eddy nexmark: ${err.message.replace(/^Option '([^']+)'/, (_, k: string) => (k === 'first-event.rate' || k === 'next-event.rate' ? '--rate' : k === 'events.num' ? '--events' : `--${k}`))}\n`);
      return 2;
    }
    throw err;
  }
  const started = Date.now();
  let summary;
  try {
    summary = writeNexmarkFiles(config, parsed.out, process.stderr.isTTY ? (n) => process.stderr.write(`\r${n.toLocaleString('en-US')} events`) : undefined);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== undefined && e.syscall !== undefined) {
      process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}eddy nexmark: cannot write to ${parsed.out}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
  if (process.stderr.isTTY) process.stderr.write('\r');
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ ...summary, seconds })}\n`);
  return 0;
}
