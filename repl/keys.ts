/**
 * Decodes terminal input into key events. Ink hands the shell each escape sequence separately and runs of
 * ordinary text whole (a paste, or keys typed faster than they are read); this turns both into events the
 * editor understands, including the word-jump keys (Ctrl/Alt + arrows, Alt-b/f) and a real Delete key,
 * which ink's own `useInput` cannot tell from Backspace.
 */

export type KeyName =
  | 'text'
  | 'enter'
  | 'tab'
  | 'backtab'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'home'
  | 'end'
  | 'pageup'
  | 'pagedown'
  | 'escape'
  /** Bracketed paste: what comes between these two was pasted, not typed. */
  | 'paste-start'
  | 'paste-end'
  /** A control or meta combination with a letter: `letter` says which. */
  | 'letter';

export interface KeyEvent {
  readonly name: KeyName;
  /** The typed text (`text`), or the letter of a Ctrl/Alt combination (`letter`), lower-case. */
  readonly text?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly shift?: boolean;
}

const CSI_NAMES: Readonly<Record<string, KeyName>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  Z: 'backtab',
};
const TILDE_NAMES: Readonly<Record<string, KeyName>> = {
  '1': 'home',
  '7': 'home',
  '4': 'end',
  '8': 'end',
  '3': 'delete',
  '5': 'pageup',
  '6': 'pagedown',
};

function withModifiers(name: KeyName, modifier: number): KeyEvent {
  // xterm modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4 | meta 8).
  const bits = Math.max(0, modifier - 1);
  return { name, shift: (bits & 1) !== 0, meta: (bits & 2) !== 0 || (bits & 8) !== 0, ctrl: (bits & 4) !== 0 };
}

/** Decodes one escape sequence (starting with ESC). */
function decodeEscape(seq: string): KeyEvent | undefined {
  if (seq === '\x1b' || seq === '\x1b\x1b') return { name: 'escape' };
  // ESC ESC [ D: some terminals send Alt+arrow as an escaped arrow.
  if (seq.startsWith('\x1b\x1b')) {
    const inner = decodeEscape(seq.slice(1));
    return inner ? { ...inner, meta: true } : undefined;
  }
  const csi = /^\x1b\[(\d*)(?:;(\d+))?([A-Za-z~])$/.exec(seq);
  if (csi) {
    const [, num = '', mod, final] = csi;
    if (num === '200' || num === '201') return final === '~' ? { name: num === '200' ? 'paste-start' : 'paste-end' } : undefined;
    const name = final === '~' ? TILDE_NAMES[num] : CSI_NAMES[final!];
    return name ? withModifiers(name, Number(mod ?? '1')) : undefined;
  }
  const ss3 = /^\x1bO([A-DHF])$/.exec(seq);
  if (ss3) return { name: CSI_NAMES[ss3[1]!]! };
  if (seq === '\x1b\r' || seq === '\x1b\n') return { name: 'enter', meta: true };
  if (seq === '\x1b\x7f' || seq === '\x1b\b') return { name: 'backspace', meta: true };
  const meta = /^\x1b([A-Za-z0-9.])$/.exec(seq);
  if (meta) return { name: 'letter', text: meta[1]!.toLowerCase(), meta: true };
  return undefined;
}

/** Decodes one input event from ink into key events. */
export function decodeKeys(input: string): KeyEvent[] {
  if (input.startsWith('\x1b')) {
    const key = decodeEscape(input);
    return key ? [key] : [];
  }
  const out: KeyEvent[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ name: 'text', text });
    text = '';
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    const code = c.charCodeAt(0);
    if (c === '\r' || c === '\n') {
      flush();
      out.push({ name: 'enter' });
      if (c === '\r' && input[i + 1] === '\n') i++;
    } else if (c === '\t') {
      flush();
      out.push({ name: 'tab' });
    } else if (c === '\x7f' || c === '\b') {
      flush();
      out.push({ name: 'backspace' });
    } else if (code < 0x20) {
      flush();
      out.push({ name: 'letter', text: String.fromCharCode(code + 96), ctrl: true });
    } else text += c;
  }
  flush();
  return out;
}
