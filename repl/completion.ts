/**
 * Tab completion from the live catalog: keywords, tables and views, their columns, functions, connector
 * and format option keys (inside `WITH ('...`), connector names, and setting keys (inside `SET '...`).
 * Context decides what fits: after FROM/JOIN/TABLE/INTO/DESCRIBE a table name, after `name.` that table's
 * (or alias's) columns, elsewhere columns of the tables the statement reads, then functions and keywords.
 */
import type { Eddy } from '../src/index.js';
import { KEYWORDS, SOURCE_OPTIONS } from '../src/index.js';
import { scanTo } from './statement-splitter.js';

/** What completion knows about the session; built from an Eddy instance by {@link catalogSource}. */
export interface CompletionSource {
  tables(): readonly { readonly name: string; readonly columns: readonly string[] }[];
  functions(): readonly string[];
  connectors(): readonly { readonly identifier: string; readonly options: readonly string[] }[];
  formats(): readonly { readonly identifier: string; readonly options: readonly string[] }[];
  settings(): readonly string[];
  /** Allowed values of a setting, when it is an enumeration. */
  settingValues?(key: string): readonly string[];
  readonly keywords: readonly string[];
}

/** The live catalog of a session. */
export function catalogSource(eddy: Eddy): CompletionSource {
  return {
    tables: () => eddy.catalog.list().map((e) => ({ name: e.name, columns: (e.kind === 'table' ? e.columns : e.schema).map((c) => c.name) })),
    functions: () => eddy.functions.names(),
    // A connector that reads takes the error-policy options too (errors.*), as validation accepts them.
    connectors: () =>
      eddy.connectors.map((c) => ({
        identifier: c.identifier,
        options: [...c.options.map((o) => o.key), ...(c.createSource ? SOURCE_OPTIONS.map((o) => o.key).filter((k) => !c.options.some((o) => o.key === k)) : [])],
      })),
    // Format options are written with the format's name first: `json.ignore-parse-errors` (some keys have it already).
    formats: () => eddy.formats.map((f) => ({ identifier: f.identifier, options: f.options.map((o) => (o.key.startsWith(`${f.identifier}.`) ? o.key : `${f.identifier}.${o.key}`)) })),
    settings: () => eddy.settings.entries().map(([k]) => k),
    settingValues: (key) => (key === 'sql-client.execution.result-mode' ? ['table', 'changelog', 'tableau'] : key === 'table.dml-sync' ? ['true', 'false'] : []),
    keywords: KEYWORDS,
  };
}

/** A completion: replace [from, to) with `insert`; `candidates` are shown when there are several. */
export interface Completion {
  readonly from: number;
  readonly to: number;
  readonly insert: string;
  readonly candidates: readonly string[];
}

const TABLE_CONTEXT = new Set(['FROM', 'JOIN', 'TABLE', 'INTO', 'DESCRIBE', 'DESC', 'VIEW', 'DROP']);
const WORD = /[A-Za-z0-9_$]/;

/** The statement around the cursor: from after the previous `;` to the next one. */
function statementAround(text: string, cursor: number): { start: number; text: string } {
  const start = text.lastIndexOf(';', cursor - 1) + 1;
  const next = text.indexOf(';', cursor);
  return { start, text: text.slice(start, next === -1 ? text.length : next) };
}

/** Table names a statement reads or writes, with their aliases: `FROM rides r`, `JOIN x AS y`, `TABLE t`. */
export function referencedTables(sql: string): { name: string; alias?: string }[] {
  const out: { name: string; alias?: string }[] = [];
  const re = /\b(?:FROM|JOIN|TABLE|INTO|DESCRIBE)\s+`?([A-Za-z_][A-Za-z0-9_$.]*)`?(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_$]*))?/gi;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const alias = m[2] && !KEYWORD_SET.has(m[2].toUpperCase()) ? m[2] : undefined;
    out.push({ name: m[1]!, alias });
  }
  return out;
}
const KEYWORD_SET = new Set(KEYWORDS);

function longestCommonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let p = words[0]!;
  for (const w of words) {
    let i = 0;
    while (i < p.length && i < w.length && p[i]!.toLowerCase() === w[i]!.toLowerCase()) i++;
    p = p.slice(0, i);
  }
  return p;
}

/** Keywords and function names follow the case the user types in. */
function inCaseOf(prefix: string, word: string): string {
  return prefix.length > 0 && prefix === prefix.toLowerCase() ? word.toLowerCase() : word;
}

function matching(prefix: string, words: Iterable<string>): string[] {
  const p = prefix.toLowerCase();
  const out: string[] = [];
  const seen = new Set<string>();
  for (const w of words) {
    if (w.toLowerCase().startsWith(p) && !seen.has(w.toLowerCase())) {
      seen.add(w.toLowerCase());
      out.push(w);
    }
  }
  return out;
}

function result(from: number, to: number, prefix: string, candidates: string[], closeWith = ''): Completion | undefined {
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return { from, to, insert: candidates[0]! + closeWith, candidates };
  const common = longestCommonPrefix(candidates);
  return { from, to, insert: common.length > prefix.length ? common : prefix, candidates };
}

/** Completion inside a string literal: option keys and values of WITH (...), setting keys of SET. */
function completeInString(text: string, cursor: number, quoteAt: number, src: CompletionSource): Completion | undefined {
  const prefix = text.slice(quoteAt + 1, cursor);
  const stmt = statementAround(text, cursor);
  const before = text.slice(stmt.start, quoteAt).trimEnd();
  const isValue = before.endsWith('=');
  const keyMatch = isValue ? /'([^']*)'\s*=$/.exec(before) : undefined;
  if (/^\s*SET\s*$/i.test(before)) return result(quoteAt + 1, cursor, prefix, matching(prefix, src.settings()), "'");
  if (keyMatch && /^\s*SET\s*'[^']*'\s*=$/i.test(before)) return result(quoteAt + 1, cursor, prefix, matching(prefix, src.settingValues?.(keyMatch[1]!) ?? []), "'");
  if (!/\bWITH\s*\(/i.test(before)) return undefined;
  if (keyMatch) {
    const key = keyMatch[1]!.toLowerCase();
    if (key === 'connector') return result(quoteAt + 1, cursor, prefix, matching(prefix, src.connectors().map((c) => c.identifier)), "'");
    if (key === 'format' || key === 'value.format' || key === 'key.format') return result(quoteAt + 1, cursor, prefix, matching(prefix, src.formats().map((f) => f.identifier)), "'");
    return undefined;
  }
  const connector = /'connector'\s*=\s*'([^']*)'/i.exec(stmt.text)?.[1];
  const format = /'format'\s*=\s*'([^']*)'/i.exec(stmt.text)?.[1];
  const connectors = src.connectors().filter((c) => connector === undefined || c.identifier === connector);
  const formats = src.formats().filter((f) => format === undefined || f.identifier === format);
  // A per-column pattern (datagen's `fields.#.kind`) is offered for each column the statement declares.
  const columns = declaredColumns(stmt.text);
  const keys = ['connector', ...connectors.flatMap((c) => c.options), ...formats.flatMap((f) => f.options)].flatMap((k) => (k.includes('#') ? columns.map((c) => k.replace('#', c)) : [k]));
  const used = new Set([...stmt.text.matchAll(/'([^']*)'\s*=/g)].map((m) => m[1]!));
  return result(quoteAt + 1, cursor, prefix, matching(prefix, keys.filter((k) => !used.has(k) || k === prefix)), "'");
}

const NOT_COLUMNS = new Set(['WATERMARK', 'PRIMARY', 'CONSTRAINT', 'PERIOD', 'LIKE']);

/** The column names a `CREATE TABLE name (...)` statement declares (its text up to the cursor is enough). */
export function declaredColumns(sql: string): string[] {
  const head = /\bCREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\w.]+\s*\(/i.exec(sql);
  if (!head) return [];
  const out: string[] = [];
  let depth = 1;
  let element = '';
  const take = () => {
    const name = /^\s*(`[^`]+`|[A-Za-z_][A-Za-z0-9_$]*)/.exec(element)?.[1];
    if (name && !NOT_COLUMNS.has(name.toUpperCase())) out.push(name.replace(/`/g, ''));
    element = '';
  };
  for (let i = head.index + head[0].length; i < sql.length && depth > 0; i++) {
    const c = sql[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth === 1 && c === ',') take();
    else element += c;
  }
  take();
  return out;
}

/** Completes the word at the cursor; undefined when nothing fits. */
export function complete(text: string, cursor: number, src: CompletionSource): Completion | undefined {
  const scan = scanTo(text, cursor);
  if (scan.state === 'string') return completeInString(text, cursor, scan.openedAt, src);
  if (scan.state !== 'code') return undefined;

  let from = cursor;
  while (from > 0 && WORD.test(text[from - 1]!)) from--;
  let to = cursor;
  while (to < text.length && WORD.test(text[to]!)) to++;
  const prefix = text.slice(from, cursor);
  const stmt = statementAround(text, cursor);
  const tables = src.tables();
  const findTable = (name: string) => tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());

  // `qualifier.col`: columns of the table, or of the table the alias names.
  if (text[from - 1] === '.') {
    let q = from - 1;
    while (q > 0 && WORD.test(text[q - 1]!)) q--;
    const qualifier = text.slice(q, from - 1);
    const refs = referencedTables(stmt.text);
    const ref = refs.find((r) => r.alias?.toLowerCase() === qualifier.toLowerCase()) ?? { name: qualifier };
    const table = findTable(ref.name);
    return table ? result(from, to, prefix, matching(prefix, table.columns)) : undefined;
  }

  const previousWord = /([A-Za-z_]+)\s*$/.exec(text.slice(stmt.start, from))?.[1]?.toUpperCase();
  if (previousWord && TABLE_CONTEXT.has(previousWord)) {
    return result(from, to, prefix, matching(prefix, tables.map((t) => t.name)));
  }
  if (prefix === '') return undefined;

  const refs = referencedTables(stmt.text).map((r) => findTable(r.name)).filter((t) => t !== undefined);
  const columnSources = refs.length > 0 ? refs : tables;
  const columns = columnSources.flatMap((t) => t.columns);
  const candidates = [
    ...matching(prefix, columns),
    ...matching(prefix, src.functions()).map((f) => inCaseOf(prefix, f)),
    ...matching(prefix, tables.map((t) => t.name)),
    ...matching(prefix, src.keywords).map((k) => inCaseOf(prefix, k)),
  ];
  const unique = [...new Map(candidates.map((c) => [c.toLowerCase(), c])).values()];
  return result(from, to, prefix, unique);
}
