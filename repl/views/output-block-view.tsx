/** One block of printed output: an echoed statement, a message, an error, a table, a plan, text. */
import { Box, Text } from 'ink';
import { highlight, TOKEN_COLORS } from '../highlight.js';
import { explainLines } from '../explain-tree.js';
import type { OutputBlock } from '../output.js';
import { layoutTable } from '../table-layout.js';
import { CONTINUATION, PROMPT } from './editor-view.js';
import { Styled } from './theme.js';

function Echo({ text }: { text: string }) {
  const lines: { text: string; kind: string }[][] = [[]];
  for (const seg of highlight(text)) {
    seg.text.split('\n').forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1]!.push({ text: part, kind: seg.kind });
    });
  }
  return (
    <Box flexDirection="column">
      {lines.map((spans, i) => (
        <Text key={i}>
          <Styled color="green" bold>
            {i === 0 ? PROMPT : CONTINUATION}
          </Styled>
          {spans.map((s, j) => (
            <Styled key={j} color={TOKEN_COLORS[s.kind as keyof typeof TOKEN_COLORS]}>
              {s.text}
            </Styled>
          ))}
        </Text>
      ))}
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
