/** One block of printed output: an echoed statement, a message, an error, a table, a plan, text. */
import { Box, Text } from 'ink';
import { explainLines } from '../explain-tree.js';
import type { OutputBlock } from '../output.js';
import { layoutTable } from '../table-layout.js';
import { PromptLines } from './editor-view.js';
import { Styled } from './theme.js';

function Echo({ text }: { text: string }) {
  return (
    <Box flexDirection="column">
      <PromptLines text={text} />
    </Box>
  );
}

export function OutputBlockView({ block }: { block: OutputBlock }) {
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
      const t = layoutTable(block.columns, block.rows, { style: 'box', rightAlign: block.rightAlign, maxColumnWidth: 80 });
      return (
        <Box flexDirection="column">
          <Styled bold>{t.header[0]}</Styled>
          <Styled dim>{t.header[1]}</Styled>
          {t.body.length ? <Text>{t.body.join('\n')}</Text> : null}
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
