/**
 * Script variables: `${name}` in statement text is replaced by the value given with `--define name=value`
 * (ksqlDB's DEFINE does the same). An unknown name is an error pointing at it.
 */
import { EddyError, ErrorCode, didYouMean, spanOf } from '../common/errors.js';

/** Replaces `${name}` occurrences; `$${` escapes a literal `${`. */
export function substituteVariables(text: string, vars: Readonly<Record<string, string>>, sourceName?: string): string {
  return text.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g, (match, name: string, offset: number) => {
    if (match.startsWith('$$')) return match.slice(1);
    const value = vars[name];
    if (value === undefined) {
      throw new EddyError(
        {
          code: ErrorCode.UNKNOWN_VARIABLE,
          message: `Variable '${name}' is not defined`,
          span: spanOf(text, offset, offset + match.length),
          hint: didYouMean(name, Object.keys(vars)) ?? `define it: --define ${name}=...`,
        },
        { text, name: sourceName },
      );
    }
    return value;
  });
}
