/**
 * Pretty EXPLAIN: the engine's plan text (Flink style, `+- ` and `:- ` branches) drawn as a tree with
 * box-drawing branches, section titles and operator names marked for colouring.
 */

export interface ExplainLine {
  /** Tree branches before the operator (`│  ├─ `). */
  readonly branch: string;
  /** The operator name (`WindowAggregate`), empty for titles and other lines. */
  readonly operator: string;
  /** The rest of the line (`(window=[...])`). */
  readonly detail: string;
  readonly title: boolean;
}

/** Parses EXPLAIN text into lines; `fancy` draws branches with box-drawing characters. */
export function explainLines(text: string, fancy: boolean): ExplainLine[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const title = /^== .* ==$/.exec(line);
      if (title) return { branch: '', operator: '', detail: fancy ? line.slice(3, -3) : line, title: true };
      const m = /^([ :|+-]*?)([+:]- )?([A-Za-z][A-Za-z0-9]*)(.*)$/.exec(line);
      if (!m) return { branch: '', operator: '', detail: line, title: false };
      let branch = (m[1] ?? '') + (m[2] ?? '');
      if (fancy) branch = branch.replace(/:  /g, '│  ').replace(/: /g, '│ ').replace(/\+- /g, '└─ ').replace(/:- /g, '├─ ');
      return { branch, operator: m[3]!, detail: m[4]!, title: false };
    });
}
