/**
 * Nexmark events as JSON lines, one file per kind (`person.jsonl`, `auction.jsonl`, `bid.jsonl`), with the
 * columns of the `person` / `auction` / `bid` views (the fields of the generator's ROWs, in order) and times as
 * `yyyy-MM-dd HH:mm:ss.SSS` text (UTC), as the json format of Eddy and Flink reads TIMESTAMP(3). The events are
 * those the `nexmark` source generates for the same options (see generator.ts), so queries over these files
 * and over the source's views give the same results. Used by `eddy nexmark`.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NexmarkConfig } from './config.js';
import { AUCTION, AUCTION_FIELDS, BID, BID_FIELDS, NexmarkGenerator, PERSON_FIELDS } from './generator.js';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** `yyyy-MM-dd HH:mm:ss.SSS` (UTC) of epoch milliseconds, the text of a second cached (times repeat a lot). */
export class TimestampText {
  private second = NaN;
  private prefix = '';

  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      const d = new Date(second * 1000);
      const year = d.getUTCFullYear();
      this.prefix = `${year < 1000 ? String(year).padStart(4, '0') : year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.`;
      this.second = second;
    }
    return this.prefix + pad3(ms - second * 1000);
  }
}

const TIME_FIELDS = new Set(['dateTime', 'expires']);

/**
 * A function writing one event of a kind as a JSON object (fields in order; times as text). The generator's
 * strings are ASCII letters, digits, spaces and `@.:/?=&_-` only, which JSON writes as they are: no escaping.
 */
function lineWriter(fields: readonly string[], time: TimestampText): (values: readonly unknown[]) => string {
  const keys = fields.map((f, i) => `${i === 0 ? '{' : ','}${JSON.stringify(f)}:`);
  const kinds = fields.map((f) => (TIME_FIELDS.has(f) ? 'time' : 'value'));
  return (values) => {
    let s = '';
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      s += keys[i]! + (kinds[i] === 'time' ? `"${time.format(v as number)}"` : typeof v === 'string' ? `"${v}"` : String(v));
    }
    return `${s}}\n`;
  };
}

const BUFFER_BYTES = 1 << 22;

/**
 * Writes ASCII text to a file through a 4 MiB buffer (each line goes into the buffer at once, so that no text
 * piles up in memory for the garbage collector).
 */
class FileOut {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private off = 0;
  count = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(line: string): void {
    this.count++;
    if (line.length > BUFFER_BYTES - this.off) {
      this.flush();
      if (line.length > BUFFER_BYTES) {
        writeSync(this.fd, line, null, 'latin1');
        return;
      }
    }
    this.off += this.buf.write(line, this.off, 'latin1');
  }

  flush(): void {
    for (let done = 0; done < this.off; ) done += writeSync(this.fd, this.buf, done, this.off - done);
    this.off = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/** What {@link writeNexmarkFiles} wrote. */
export interface NexmarkFilesSummary {
  readonly events: number;
  readonly person: number;
  readonly auction: number;
  readonly bid: number;
  /** Event times of the first and last event, as text. */
  readonly first: string;
  readonly last: string;
  readonly files: readonly string[];
}

/**
 * Writes events 0 .. config.eventsNum - 1 into `dir` (created when missing): person.jsonl, auction.jsonl,
 * bid.jsonl. `progress` is called now and then with the events written so far.
 */
export function writeNexmarkFiles(config: NexmarkConfig, dir: string, progress?: (written: number) => void): NexmarkFilesSummary {
  mkdirSync(dir, { recursive: true });
  const gen = new NexmarkGenerator(config);
  const time = new TimestampText();
  const outs = [new FileOut(join(dir, 'person.jsonl')), new FileOut(join(dir, 'auction.jsonl')), new FileOut(join(dir, 'bid.jsonl'))] as const;
  const writers = [lineWriter(PERSON_FIELDS, time), lineWriter(AUCTION_FIELDS, time), lineWriter(BID_FIELDS, time)] as const;
  const total = config.eventsNum;
  try {
    for (let n = 0; n < total; n++) {
      const kind = gen.kind(n);
      const values = kind === BID ? gen.bid(n) : kind === AUCTION ? gen.auction(n) : gen.person(n);
      outs[kind]!.write(writers[kind]!(values));
      if (progress && (n + 1) % 1_000_000 === 0) progress(n + 1);
    }
  } finally {
    for (const o of outs) o.close();
  }
  return {
    events: total,
    person: outs[0].count,
    auction: outs[1].count,
    bid: outs[2].count,
    first: new TimestampText().format(gen.timestamp(0)),
    last: new TimestampText().format(gen.timestamp(Math.max(total - 1, 0))),
    files: outs.map((o) => o.path),
  };
}
