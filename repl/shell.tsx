/**
 * The shell's root component: printed output (ink `<Static>`, so it scrolls into the terminal's history
 * and is never redrawn), then the live part — a running query's result view and status line, or the
 * prompt. All state lives in the {@link ShellController}; this only draws it and forwards keys.
 */
import { useCallback, useEffect, useReducer, useState } from 'react';
import { Box, Static, useStdout } from 'ink';
import type { ShellController } from './shell-controller.js';
import { EditorView } from './views/editor-view.js';
import { OutputBlockView } from './views/output-block-view.js';
import { ResultView } from './views/result-view.js';
import { StatusLine } from './views/status-line.js';
import { ColorContext } from './views/theme.js';
import { useKeys } from './views/use-keys.js';

/** Lines around a result page: its header (2), position line, status (2) and key hint, and one spare. */
const RESULT_CHROME_LINES = 7;

/** Milliseconds after the last resize event before the screen is redrawn (a drag sends many). */
const RESIZE_REDRAW_MS = 150;

/** Clear screen and home; with the scrollback (`ESC[3J`) when everything is drawn again. */
const CLEAR_SCREEN = '\x1b[2J\x1b[H';
const CLEAR_SCROLLBACK = '\x1b[2J\x1b[3J\x1b[H';

/** The terminal's size; after it changes, the controller redraws the screen. */
function useTerminalSize(controller: ShellController): { rows: number; columns: number } {
  const { stdout, write } = useStdout();
  const read = () => ({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    // Through ink's write, so ink first erases its live part and draws it again after the clear.
    controller.terminal = stdout.isTTY ? { clear: (scrollback) => write(scrollback ? CLEAR_SCROLLBACK : CLEAR_SCREEN) } : undefined;
    let timer: NodeJS.Timeout | undefined;
    const onResize = () => {
      setSize(read());
      clearTimeout(timer);
      timer = setTimeout(() => controller.clearScreen(true), RESIZE_REDRAW_MS);
    };
    stdout.on('resize', onResize);
    return () => {
      clearTimeout(timer);
      stdout.off('resize', onResize);
    };
  }, [stdout, write, controller]);
  return size;
}

export function Shell({ controller, color, timeZone }: { controller: ShellController; color: boolean; timeZone: () => string }) {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  useEffect(() => controller.subscribe(redraw), [controller]);
  const size = useTerminalSize(controller);
  const pageRows = Math.max(3, size.rows - RESULT_CHROME_LINES);
  controller.viewportRows = pageRows;
  controller.viewportColumns = size.columns;
  const onKey = useCallback((key: Parameters<ShellController['handleKey']>[0]) => controller.handleKey(key), [controller]);
  useKeys(onKey, controller.phase !== 'exited');
  const run = controller.run;

  return (
    <ColorContext.Provider value={color}>
      {/* A new key after the screen was cleared (CLEAR, Ctrl-L, a resize) prints the blocks kept again. */}
      <Static key={controller.screenEpoch} items={controller.blocks}>
        {(block) => <OutputBlockView key={block.id} block={block} width={size.columns} />}
      </Static>
      {controller.phase === 'query' && run ? (
        <Box flexDirection="column">
          {run.options.mode !== 'tableau' ? <ResultView run={run} pageRows={pageRows} scroll={controller.scroll} timeZone={timeZone()} widths={run.widths} width={size.columns} /> : null}
          <StatusLine status={run.status} cancelling={run.cancelling} timeZone={timeZone()} keys={run.options.mode !== 'tableau' ? '↑↓ PgUp PgDn scroll · End follow · ←→ columns' : undefined} />
        </Box>
      ) : null}
      {controller.phase === 'prompt' ? (
        <EditorView editor={controller.editor} candidates={controller.candidates} search={controller.search} notice={controller.notice} width={size.columns} />
      ) : null}
    </ColorContext.Provider>
  );
}
