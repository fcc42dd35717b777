/** The server log's levels and formats, and `eddy serve`'s options for them. */
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/cli/serve.js';
import { ServerLog } from '../../src/server/log.js';

const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

describe('the server log', () => {
  it('leaves out entries below its level', () => {
    const lines: string[] = [];
    const log = new ServerLog((l) => lines.push(l), 'json', 'warn', () => at);
    log.log({ level: 'info', event: 'job.started', message: 'started' });
    log.log({ level: 'debug', event: 'job.started', message: 'query' });
    log.log({ level: 'warn', event: 'x', message: 'careful' });
    log.log({ level: 'error', event: 'job.failed', message: 'failed', fields: { job: 'job-1' } });
    expect(lines).toEqual([
      '{"time":"2026-01-02T03:04:05.006Z","level":"warn","event":"x","message":"careful"}\n',
      '{"time":"2026-01-02T03:04:05.006Z","level":"error","event":"job.failed","message":"failed","job":"job-1"}\n',
    ]);
  });

  it('writes text with the detail indented under the line', () => {
    const lines: string[] = [];
    new ServerLog((l) => lines.push(l), 'text', 'info', () => at).log({ level: 'error', event: 'job.failed', message: 'Job job-1 failed', detail: 'error[EDDY-R001]: bad\n  = hint: skip it\n' });
    expect(lines).toEqual(['2026-01-02T03:04:05.006Z ERROR Job job-1 failed\n    error[EDDY-R001]: bad\n      = hint: skip it\n']);
  });

  it('is set by --log-level and --log-format', () => {
    expect(parseServeArgs(['--log-level', 'debug', '--log-format', 'json'], {})).toMatchObject({ logLevel: 'debug', logFormat: 'json' });
    expect(parseServeArgs([], {})).toMatchObject({ logLevel: 'info' });
    expect(parseServeArgs([], {})).not.toHaveProperty('logFormat');
    expect(parseServeArgs(['--log-level', 'loud'], {})).toBe('--log-level needs one of error, warn, info, debug');
    expect(parseServeArgs(['--log-format', 'xml'], {})).toBe('--log-format needs text or json');
  });
});
