/**
 * Eddy.settle: resolves once every running job has processed all the input its sources can read and a checkpoint
 * made its output visible, also through jobs that feed each other. Kafka-free: in-memory queues stand for topics,
 * read by an unbounded source that says when it has caught up, written by a sink whose rows become visible only
 * when a checkpoint commits (as a transactional Kafka sink's).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import type { Row } from '../../src/runtime/changelog.js';
import type { ConnectorFactory, SinkWriter, SourceReader } from '../../src/runtime/connector.js';

/** The queues ("topics"): rows visible to readers. */
const queues = new Map<string, Row[]>();
const queue = (name: string): Row[] => {
  let q = queues.get(name);
  if (!q) queues.set(name, (q = []));
  return q;
};

/** Reads a queue from its start, forever; `caught-up` = 'never' makes it never say it caught up, 'unknown' not say at all. */
const memq: ConnectorFactory = {
  identifier: 'memq',
  description: 'in-memory queue (test)',
  options: [
    { key: 'queue', description: 'the queue', required: true },
    { key: 'transactional', description: "'true': rows become visible when a checkpoint commits" },
    { key: 'caught-up', description: "'never' or 'unknown' (test)" },
  ],
  createSource: (ctx): SourceReader => {
    const name = ctx.options['queue']!;
    let pos = 0;
    let closed = false;
    const reader: SourceReader = {
      bounded: false,
      open: async () => {},
      close: async () => {
        closed = true;
      },
      next: async () => {
        const q = queue(name);
        if (pos < q.length && !closed) {
          // A few rows at a time, with a pause: the job is still working while settle() first asks.
          await new Promise((resolve) => setTimeout(resolve, 5));
          const rows = q.slice(pos, pos + 2).map((r) => [...r]);
          pos += rows.length;
          return { split: name, rows };
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        return closed ? null : { split: name, rows: [] };
      },
    };
    const mode = ctx.options['caught-up'];
    if (mode === 'never') reader.caughtUp = async () => false;
    else if (mode !== 'unknown') reader.caughtUp = async () => pos >= queue(name).length;
    return reader;
  },
  createSink: (ctx): SinkWriter => {
    const name = ctx.options['queue']!;
    const transactional = ctx.options['transactional'] === 'true';
    let pending: Row[] = [];
    const prepared = new Map<number, Row[]>();
    return {
      open: async () => {},
      close: async () => {},
      write: (batch) => {
        pending.push(...batch.rows.map((r) => [...r]));
        if (!transactional) queue(name).push(...pending.splice(0));
      },
      flush: async () => {},
      ...(transactional
        ? {
            preCommit: async (id: number) => {
              prepared.set(id, pending);
              pending = [];
              return id;
            },
            commit: async (info: unknown) => {
              queue(name).push(...(prepared.get(info as number) ?? []));
              prepared.delete(info as number);
            },
          }
        : {}),
    };
  },
};

const dirs: string[] = [];
afterEach(() => {
  queues.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-settle-'));
  dirs.push(dir);
  return dir;
}

async function chain(eddy: Eddy, transactional: boolean): Promise<void> {
  const t = transactional ? ", 'transactional' = 'true'" : '';
  await eddy.execute(`CREATE TABLE a (k STRING, v INT) WITH ('connector' = 'memq', 'queue' = 'a'${t})`);
  await eddy.execute(`CREATE TABLE b (k STRING, v INT) WITH ('connector' = 'memq', 'queue' = 'b'${t})`);
  await eddy.execute(`CREATE TABLE c (k STRING, v INT) WITH ('connector' = 'memq', 'queue' = 'c'${t})`);
  await eddy.execute('INSERT INTO b SELECT UPPER(k), v * 10 FROM a');
  await eddy.execute('INSERT INTO c SELECT k, v + 1 FROM b WHERE v > 10');
}

describe('Eddy.settle', () => {
  it('waits through two chained jobs whose output becomes visible only at checkpoints (none periodic)', async () => {
    const eddy = new Eddy({ connectors: [memq], stateDir: stateDir() });
    try {
      await eddy.execute("SET 'execution.checkpointing.interval' = '1 h'");
      await chain(eddy, true);
      queue('a').push(['x', 1], ['y', 2], ['z', 3]);
      await eddy.settle({ timeoutMs: 20_000 });
      // x: 10 is filtered out by the second job; y and z go through both.
      expect(queue('b')).toEqual([['X', 10], ['Y', 20], ['Z', 30]]);
      expect(queue('c')).toEqual([['Y', 21], ['Z', 31]]);
      queue('a').push(['w', 4]);
      await eddy.settle({ timeoutMs: 20_000 });
      expect(queue('c')).toEqual([['Y', 21], ['Z', 31], ['W', 41]]);
    } finally {
      await eddy.close();
    }
  });

  it('works without checkpoints (no state directory): sinks are flushed', async () => {
    const eddy = new Eddy({ connectors: [memq] });
    try {
      await chain(eddy, false);
      for (let i = 1; i <= 7; i++) queue('a').push([`k${i}`, i]);
      await eddy.settle({ timeoutMs: 20_000 });
      expect(queue('c').map((r) => r[1])).toEqual([21, 31, 41, 51, 61, 71]);
    } finally {
      await eddy.close();
    }
  });

  it('resolves at once with no job running', async () => {
    const eddy = new Eddy({ connectors: [memq] });
    try {
      await eddy.settle({ timeoutMs: 1000 });
    } finally {
      await eddy.close();
    }
  });

  it('fails with SETTLE_TIMEOUT, naming the job, when a source never catches up', async () => {
    const eddy = new Eddy({ connectors: [memq] });
    try {
      await eddy.execute(`CREATE TABLE a (k STRING, v INT) WITH ('connector' = 'memq', 'queue' = 'a', 'caught-up' = 'never')`);
      await eddy.execute(`CREATE TABLE b (k STRING, v INT) WITH ('connector' = 'memq', 'queue' = 'b')`);
      await eddy.execute('INSERT INTO b SELECT k, v FROM a');
      const started = Date.now();
      const err = await eddy.settle({ timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EddyError);
      expect((err as EddyError).code).toBe(ErrorCode.SETTLE_TIMEOUT);
      expect((err as EddyError).message).toMatch(/within 300 ms: job-\d+: INSERT INTO b/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await eddy.close();
    }
  });

  it('refuses a job whose unbounded source cannot tell whether it caught up', async () => {
    const eddy = new Eddy({ connectors: [memq] });
    try {
      await eddy.execute(`CREATE TABLE a (k STRING, v INT) WITH ('connector' = 'memq', 'queue' = 'a', 'caught-up' = 'unknown')`);
      await eddy.execute(`CREATE TABLE b (k STRING, v INT) WITH ('connector' = 'memq', 'queue' = 'b')`);
      await eddy.execute('INSERT INTO b SELECT k, v FROM a');
      const err = await eddy.settle({ timeoutMs: 5000 }).catch((e: unknown) => e);
      expect((err as EddyError).code).toBe(ErrorCode.UNSUPPORTED);
      expect((err as EddyError).message).toContain("the source of table 'a' cannot tell whether it has read all its input");
    } finally {
      await eddy.close();
    }
  });

  it('works for jobs in the job thread: waits for a bounded job, refuses one that cannot tell', async () => {
    const dir = stateDir();
    const eddy = new Eddy({ jobThread: true, stateDir: join(dir, 'state') });
    try {
      await eddy.execute("CREATE TABLE nums (n INT) WITH ('connector' = 'datagen', 'number-of-rows' = '20000', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '20000')");
      await eddy.execute(`CREATE TABLE out_file (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'out')}', 'format' = 'csv')`);
      const job = await eddy.execute('INSERT INTO out_file SELECT n FROM nums WHERE n % 2 = 0');
      expect(job.kind).toBe('job');
      await eddy.settle({ timeoutMs: 60_000 });
      // Settled: the bounded job has read everything and its files are complete.
      const files = readdirSync(join(dir, 'out')).filter((f) => !f.startsWith('.'));
      const lines = files.flatMap((f) => readFileSync(join(dir, 'out', f), 'utf8').split('\n').filter((l) => l !== ''));
      expect(lines.length).toBe(10_000);
      await eddy.execute("CREATE TABLE endless (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '10')");
      await eddy.execute("CREATE TABLE sink (n INT) WITH ('connector' = 'blackhole')");
      await eddy.execute('INSERT INTO sink SELECT n FROM endless');
      const err = await eddy.settle({ timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect((err as EddyError).code).toBe(ErrorCode.UNSUPPORTED);
      expect((err as EddyError).message).toContain("the source of table 'endless' cannot tell whether it has read all its input");
    } finally {
      await eddy.close();
    }
  }, 120_000);
});
