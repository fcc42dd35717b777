/** What the shell has printed: blocks of output that scroll up above the prompt and never change again. */

export type OutputBlock =
  | { readonly id: number; readonly kind: 'echo'; readonly text: string }
  | { readonly id: number; readonly kind: 'info'; readonly text: string }
  | { readonly id: number; readonly kind: 'warning'; readonly text: string }
  /** An error rendered by EddyError.render (carets under the span, the hint). */
  | { readonly id: number; readonly kind: 'error'; readonly text: string }
  | {
      readonly id: number;
      readonly kind: 'table';
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
      readonly rightAlign?: readonly boolean[];
      /** Column widths to keep (those a running query's view had), so the final table looks the same. */
      readonly widths?: readonly number[];
      /** A line under the table (row count, freshness). */
      readonly note?: string;
    }
  | { readonly id: number; readonly kind: 'explain'; readonly text: string }
  /** Preformatted lines (HELP, tableau rows, a final result snapshot). */
  | { readonly id: number; readonly kind: 'text'; readonly text: string; readonly dim?: boolean };

/** A block without its id (the shell numbers them). */
export type NewOutputBlock = OutputBlock extends infer B ? (B extends OutputBlock ? Omit<B, 'id'> : never) : never;
