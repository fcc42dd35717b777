/**
 * The shell's root component: printed output (ink `<Static>`, so it scrolls into the terminal's history
 * and is never redrawn), then the live part — a running query's result view and status line, or the
 * prompt. All state lives in the {@link ShellController}; this only draws it and forwards keys.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { Box, Static, useStdout } from 'ink';
import type { ShellController } from './shell-controller.js';
import { EditorView } from './views/editor-view.js';
import { OutputBlockView } from './views/output-block-view.js';
import { ResultView } from './views/result-view.js';
import { StatusLine } from './views/status-line.js';
import { ColorContext } from './views/theme.js';
import { useKeys } from './views/use-keys.js';
import type { QueryRun } from './query-run.js';

/** Lines around a result page: its header (2), position line, status (2) and key hint, and one spare. */
const RESULT_CHROME_LINES = 7;

function useTerminalSize(): { rows: number; columns: number } {
  const { stdout } = useStdout();
  const read = () => ({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

export function Shell({ controller, color, timeZone }: { controller: ShellController; color: boolean; timeZone: () => string }) {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  useEffect(() => controller.subscribe(redraw), [controller]);
  const size = useTerminalSize();
  const pageRows = Math.max(3, size.rows - RESULT_CHROME_LINES);
  controller.viewportRows = pageRows;
  const onKey = useCallback((key: Parameters<ShellController['handleKey']>[0]) => controller.handleKey(key), [controller]);
  useKeys(onKey, controller.phase !== 'exited');
  const widths = useRef<{ run?: QueryRun; widths: number[] }>({ widths: [] });
  const run = controller.run;
  if (widths.current.run !== run) widths.current = { run, widths: [] };

  return (
    <ColorContext.Provider value={color}>
      <Static items={controller.blocks}>{(block) => <OutputBlockView key={block.id} block={block} />}</Static>
      {controller.phase === 'query' && run ? (
        <Box flexDirection="column">
          {run.options.mode !== 'tableau' ? <ResultView run={run} pageRows={pageRows} scroll={controller.scroll} timeZone={timeZone()} widths={widths.current.widths} /> : null}
          <StatusLine status={run.status} cancelling={run.cancelling} timeZone={timeZone()} keys={run.options.mode !== 'tableau' ? '↑↓ PgUp PgDn scroll · End follow' : undefined} />
        </Box>
      ) : null}
      {controller.phase === 'prompt' ? (
        <EditorView editor={controller.editor} candidates={controller.candidates} search={controller.search} notice={controller.notice} width={size.columns} />
      ) : null}
    </ColorContext.Provider>
  );
}
