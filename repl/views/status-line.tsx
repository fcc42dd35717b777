/**
 * The status line under a running query: elapsed time, input and output rows/s with a sparkline of recent
 * input rates, the watermark and how far it is behind the wall clock, late and bad rows, a source's trouble
 * (`retrying: Kafka broker ... unreachable`) when there is any, and the keys.
 */
import { Box, Text } from 'ink';
import { describeWatermark, formatCount, formatDuration, sparkline, type StatusSnapshot } from '../progress-meter.js';
import { Styled } from './theme.js';

export interface StatusLineProps {
  readonly status: StatusSnapshot;
  readonly cancelling?: boolean;
  readonly timeZone?: string;
  /** Extra text for the key hint (scrolling keys in table views). */
  readonly keys?: string;
}

/** ` (invalid-json 2, wrong-type 1)`: bad rows by kind, when there are any. */
export function badKinds(byKind: Readonly<Record<string, number>>): string {
  const kinds = Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, n]) => `${kind} ${formatCount(n)}`);
  return kinds.length ? ` (${kinds.join(', ')})` : '';
}

export function StatusLine({ status, cancelling, timeZone, keys }: StatusLineProps) {
  const s = status.progress.summary;
  const wm = status.progress.watermark;
  const lag = status.lagMs !== undefined ? ` (${formatDuration(status.lagMs)} behind)` : '';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Styled color={cancelling ? 'yellow' : 'green'}>{cancelling ? '◌ cancelling' : '● running'}</Styled>
        {` ${formatDuration(status.elapsedMs)} │ in `}
        <Styled bold>{formatCount(status.inRate)}/s</Styled> <Styled color="cyan">{sparkline(status.inHistory)}</Styled>
        {` │ out `}
        <Styled bold>{formatCount(status.outRate)}/s</Styled>
        {' │ late '}
        <Styled color={s.lateRowsDropped ? 'yellow' : undefined}>{formatCount(s.lateRowsDropped)}</Styled>
        {' │ bad '}
        <Styled color={s.badRowsSkipped ? 'red' : undefined}>{formatCount(s.badRowsSkipped)}</Styled>
        {badKinds(s.badRowsByKind)}
      </Text>
      {status.progress.health !== undefined ? (
        <Text wrap="truncate-end">
          <Styled color="yellow">{`  ⚠ ${status.progress.health}`}</Styled>
        </Text>
      ) : null}
      <Text wrap="truncate-end">{`  watermark ${describeWatermark(wm, timeZone)}${lag} │ ${formatCount(s.rowsIn)} rows in, ${formatCount(s.rowsOut)} out │ state ${formatCount(status.progress.stateEntries)}`}</Text>
      <Text wrap="truncate-end">
        <Styled dim>{`Ctrl-C cancel${keys ? ` · ${keys}` : ''}`}</Styled>
      </Text>
    </Box>
  );
}
