/**
 * The thread of one instance (1..N-1) of a job running in parallel (see parallel-instances.ts): plans the
 * statement again with a session made from the caller's catalog and settings, builds its instance of the job
 * (JobBuilder builds instances in this thread: see runAsInstance), runs it, and reports its end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Eddy } from './eddy.js';
import { CollectWriter } from './query-handle.js';
import type { Job } from '../runtime/job.js';
import { InstanceLinks } from '../runtime/parallel/exchange.js';
import { runAsInstance } from './job-builder.js';
import { sendError } from './job-thread.js';
import { threadCpuMs, type FromInstance, type InstanceData, type ToInstance } from './parallel-instances.js';

const port = parentPort!;
const data = workerData as InstanceData;
const post = (m: FromInstance) => port.postMessage(m);
const links = new InstanceLinks(data.index, data.count, data.ports);
runAsInstance({ index: data.index, count: data.count, links });

let job: Job | undefined;
let cancelled = false;
port.on('message', (m: ToInstance) => {
  if (m.type === 'cancel') {
    cancelled = true;
    void job?.cancel();
  }
});

try {
  const { context, request } = data;
  const eddy = new Eddy({ fresh: false, embeddedLogPath: context.embeddedLogPath });
  for (const [key, value] of context.settings) eddy.settings.set(key, value);
  for (const entry of context.catalog) eddy.catalog.add(entry);
  if (request.kind === 'insert') job = eddy.insertJobs(request.spec)[0];
  else if (request.kind === 'query') job = eddy.queryJob(request.spec, new CollectWriter());
  else throw new Error(`a parallel instance cannot run a ${request.kind} job`);
  post({ type: 'ready', exchanges: links.exchangeNames });
  if (cancelled) void job!.cancel();
  job!.run().then(
    () => post({ type: 'done', cpuMs: threadCpuMs() }),
    (err: unknown) => post({ type: 'done', error: sendError(err), cpuMs: threadCpuMs() }),
  );
} catch (err) {
  post({ type: 'done', error: sendError(err) });
}
