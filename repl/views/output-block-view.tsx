/** One block of printed output: an echoed statement, a message, an error, a table, a plan, text. */
import { Box, Text } from 'ink';
import { explainLines } from '../explain-tree.js';
import type { OutputBlock } from '../output.js';
import { columnWidths, describeColumns, fitColumns, layoutTable, singleText } from '../table-layout.js';
import { PromptLines } from './editor-view.js';
import { Styled } from './theme.js';

function Echo({ text }: { text: string }) {
  return (
    <Box flexDirection="column">
      <PromptLines text={text} />
    </Box>
  );
}

/**
 * A table fitted to the terminal: the columns that fit, then (when some do not) the next ones in a further
 * panel, and so on, so that nothing is hidden and no line wraps. A single cell of several lines (SHOW
 * CREATE TABLE) is printed as it is.
 */
export function tablePanels(block: Extract<OutputBlock, { kind: 'table' }>, width: number): { header: string[]; body: string[]; note?: string }[] {
  const { columns, rows } = block;
  const right = block.rightAlign ?? [];
  const natural = columnWidths(columns, rows, { maxColumnWidth: 80, minWidths: block.widths });
  const panels: { header: string[]; body: string[]; note?: string }[] = [];
  for (let first = 0; first < columns.length; ) {
    const fit = fitColumns(natural, right, width, first);
    const shown = <T,>(r: readonly T[]): T[] => r.slice(fit.first, fit.first + fit.count);
    const t = layoutTable(shown(columns), rows.map(shown), { style: 'box', rightAlign: shown(right), widths: fit.widths, margin: fit.margin });
    panels.push({ header: t.header, body: t.body, note: describeColumns(fit, columns.length) });
    first = fit.first + fit.count;
  }
  return panels;
}

export function OutputBlockView({ block, width = 80 }: { block: OutputBlock; width?: number }) {
  switch (block.kind) {
    case 'echo':
      return <Echo text={block.text} />;
    case 'info':
      return <Styled color="cyan">{`[INFO] ${block.text}`}</Styled>;
    case 'warning':
      return <Styled color="yellow">{`[WARN] ${block.text}`}</Styled>;
    case 'error':
      return <Text>{block.text}</Text>;
    case 'text':
      return block.dim ? <Styled dim>{block.text}</Styled> : <Text>{block.text}</Text>;
    case 'table': {
      const text = singleText(block.columns, block.rows);
      if (text !== undefined) return <Text>{text}</Text>;
      const panels = tablePanels(block, width);
      return (
        <Box flexDirection="column">
          {panels.map((t, i) => (
            <Box key={i} flexDirection="column" marginTop={i > 0 ? 1 : 0}>
              {t.note ? <Styled dim>{t.note}</Styled> : null}
              <Text wrap="truncate-end">
                <Styled bold>{t.header[0]}</Styled>
              </Text>
              <Text wrap="truncate-end">
                <Styled dim>{t.header[1]}</Styled>
              </Text>
              {t.body.length ? <Text>{t.body.join('\n')}</Text> : null}
            </Box>
          ))}
          {block.note ? <Styled dim>{block.note}</Styled> : null}
        </Box>
      );
    }
    case 'explain':
      return (
        <Box flexDirection="column">
          {explainLines(block.text, true).map((l, i) =>
            l.title ? (
              <Styled key={i} bold color="magenta">
                {l.detail}
              </Styled>
            ) : (
              <Text key={i}>
                {l.branch || l.operator || l.detail ? <Styled dim>{l.branch}</Styled> : ' '}
                <Styled bold color="cyan">
                  {l.operator}
                </Styled>
                {l.detail}
              </Text>
            ),
          )}
        </Box>
      );
  }
}
