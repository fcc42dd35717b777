/**
 * The child process of three-ways.test.ts: runs one golden case with a state directory, and may kill itself
 * (SIGKILL, through the engine's crash points) at a chosen checkpoint, as a crash would.
 *
 * Called as `node <bundle of this file> '<ChildTask as JSON>'`. Each finished run appends one JSON line
 * (a {@link ChildReport}) to `task.results` before the next run starts, so the parent knows what happened
 * before a kill.
 *
 * - `checkpointed-then-killed`: runs the case with checkpoints every few rows (the parent's run (b)), then
 *   picks a checkpoint at random (seeded) among as many as that run took, and runs the case again on a fresh
 *   state directory, crashing at that checkpoint (the parent's run (c), first attempt).
 * - `killed`: only the crashing run, at the checkpoint given.
 * - `restore`: runs the case again on the crashed run's state directory (optionally crashing again, e.g.
 *   during the recovery itself).
 */
import { appendFileSync } from 'node:fs';
import { pickCrash, runCase, useSmallChunks, type CaseRun, type ChildReport, type ChildTask, type Crash, type RunDirs } from './three-ways.js';

/** Runs the case, crashing as `crash` says (the engine reads these variables at each crash point). */
async function run(dir: string, dirs: RunDirs, crash: Crash | undefined): Promise<CaseRun> {
  if (crash) {
    process.env['EDDY_CRASH_AT'] = crash.point;
    process.env['EDDY_CRASH_AFTER'] = String(crash.after);
  }
  try {
    return await runCase(dir, dirs.tmp, { stateDir: dirs.stateDir });
  } finally {
    delete process.env['EDDY_CRASH_AT'];
    delete process.env['EDDY_CRASH_AFTER'];
  }
}

async function main(task: ChildTask): Promise<void> {
  const report = (r: ChildReport) => appendFileSync(task.results, JSON.stringify(r) + '\n');
  switch (task.mode) {
    case 'checkpointed-then-killed': {
      const checkpointed = await run(task.dir, task.checkpointed, undefined);
      report({ run: 'checkpointed', result: checkpointed });
      const crash = pickCrash(task.seed, checkpointed.checkpoints);
      report({ run: 'crash-at', crash });
      report({ run: 'not-killed', result: await run(task.dir, task.killed, crash) });
      return;
    }
    case 'killed':
      report({ run: 'crash-at', crash: task.crash });
      report({ run: 'not-killed', result: await run(task.dir, task.killed, task.crash) });
      return;
    case 'restore':
      if (task.crash) report({ run: 'crash-at', crash: task.crash });
      report({ run: 'restored', result: await run(task.dir, task.killed, task.crash) });
      return;
  }
}

useSmallChunks();
main(JSON.parse(process.argv[2]!) as ChildTask).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(70);
  },
);
