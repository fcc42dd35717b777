/** The prompt: highlighted multi-line input with its cursor, completion candidates, history search. */
import { Box, Text } from 'ink';
import { editorLines, TOKEN_COLORS } from '../highlight.js';
import type { EditorState } from '../editor.js';
import type { HistorySearch } from '../shell-controller.js';
import { Styled } from './theme.js';

export const PROMPT = 'eddy> ';
export const CONTINUATION = '   -> ';

export interface EditorViewProps {
  readonly editor: EditorState;
  readonly candidates?: readonly string[];
  readonly search?: HistorySearch;
  readonly notice?: string;
  readonly width?: number;
}

/** SQL text after the prompt (and continuation prompts), highlighted, with the cursor when given. */
export function PromptLines({ text, cursor = -1 }: { text: string; cursor?: number }) {
  return (
    <>
      {editorLines(text, cursor).map((spans, i) => (
        <Text key={i}>
          <Styled color="green" bold>
            {i === 0 ? PROMPT : CONTINUATION}
          </Styled>
          {spans.map((s, j) => (
            <Styled key={j} color={TOKEN_COLORS[s.kind]} inverse={s.cursor}>
              {s.text}
            </Styled>
          ))}
        </Text>
      ))}
    </>
  );
}

/** Candidates in a few lines at most, with a count of the rest. */
function candidateLines(candidates: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let shown = 0;
  for (const c of candidates) {
    const next = line ? `${line}  ${c}` : c;
    if (next.length > width && line) {
      if (lines.length === 2) break;
      lines.push(line);
      line = c;
    } else line = next;
    shown++;
  }
  if (line) lines.push(line);
  if (shown < candidates.length) lines[lines.length - 1] += `  … ${candidates.length - shown} more`;
  return lines;
}

export function EditorView({ editor, candidates = [], search, notice, width = 80 }: EditorViewProps) {
  if (search) {
    const entry = search.match?.entry.replace(/\n/g, ' ') ?? '';
    return (
      <Box flexDirection="column">
        <Text wrap="truncate-end">
          <Styled dim>(reverse-i-search)</Styled>
          {`'${search.query}': `}
          {entry}
        </Text>
        {search.query && !search.match ? <Styled dim>no match</Styled> : null}
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <PromptLines text={editor.text} cursor={editor.cursor} />
      {candidateLines(candidates, Math.max(20, width - 2)).map((l, i) => (
        <Styled key={`c${i}`} color="cyan">
          {l}
        </Styled>
      ))}
      {notice ? <Styled dim>{notice}</Styled> : null}
    </Box>
  );
}
