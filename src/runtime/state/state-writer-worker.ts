/**
 * The checkpoint writer thread (started by `startWriterWorker`, state-writer.ts): owns the store's write
 * connection and serves batches and commits, in order, as they come.
 *
 * After a failure the open transaction (which holds part of a batch) is rolled back to the last checkpoint,
 * and every later batch and commit fails too: the job fails and restarts from that checkpoint.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { makeApplier } from './state-writer-applier.js';
import type { ToWriter, FromWriter, WriterData } from './state-writer.js';

const port = parentPort!;
const data = workerData as WriterData;

const db = new Database(data.path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${data.synchronous}`);
db.pragma('journal_size_limit = 67108864');
db.pragma('cache_size = -65536');
const applier = makeApplier(db);
const deleteCheckpoints = db.prepare('DELETE FROM eddy_checkpoint');
const insertCheckpoint = db.prepare('INSERT INTO eddy_checkpoint (id, time, data) VALUES (?, ?, ?)');
let broken: unknown;

const post = (m: FromWriter) => port.postMessage(m);
const begin = () => {
  if (!db.inTransaction) db.exec('BEGIN');
};
const rollback = () => {
  if (db.inTransaction) db.exec('ROLLBACK');
};

port.on('message', (m: ToWriter) => {
  try {
    switch (m.type) {
      case 'write':
        if (broken !== undefined) return;
        begin();
        applier.apply(Buffer.from(m.buffer, 0, m.length));
        return;
      case 'commit':
        if (broken !== undefined) throw broken;
        begin();
        applier.apply(Buffer.from(m.buffer, 0, m.length));
        deleteCheckpoints.run();
        insertCheckpoint.run(m.id, m.time, m.data);
        db.exec('COMMIT');
        post({ type: 'committed', seq: m.seq });
        return;
      case 'reclaim':
        if (!db.inTransaction && broken === undefined) db.pragma(`incremental_vacuum(${Math.floor(m.pages)})`);
        return;
      case 'close':
        rollback();
        db.close();
        post({ type: 'closed' });
        port.close();
        return;
    }
  } catch (err) {
    if (broken === undefined) broken = err;
    try {
      rollback();
    } catch {
      // The connection is unusable: the failure below is what the store reports.
    }
    const code = (err as { code?: unknown } | undefined)?.code;
    post({ type: 'failed', seq: 'seq' in m ? m.seq : undefined, message: String((err as Error | undefined)?.message ?? err), ...(typeof code === 'string' ? { code } : {}) });
  }
});
