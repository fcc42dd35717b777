/**
 * What the binder needs from the session: the catalog, the functions, the session settings, and a way to
 * validate connector options (given by the engine, so the planner never imports connectors).
 */
import type { FunctionEnv } from '../../functions/function-types.js';
import type { FunctionRegistry } from '../../functions/registry.js';
import type { Catalog } from '../catalog.js';
import type { MetadataSpec, TableShape } from '../../runtime/connector.js';

/** A problem with a table's connector options (see src/connectors/validate-options.ts). */
export interface OptionProblem {
  readonly key: string;
  readonly kind: 'unknown-connector' | 'unknown-option' | 'missing-option' | 'invalid-value' | 'unknown-format';
  readonly message: string;
  readonly hint?: string;
}

/** What a connector can do, as the planner sees it. */
export interface ConnectorCapabilities {
  readonly source: boolean;
  readonly sink: boolean;
  readonly sinkAcceptsUpdates: boolean;
  /** Its source reads a snapshot of stored data (sqlite): a query reading only such sources can be pulled. */
  readonly sourceReadsSnapshot: boolean;
  /** It can look rows up by key (a lookup join's right side: `sqlite`). */
  readonly lookup?: boolean;
  /** The metadata keys it offers to METADATA columns (absent: none). */
  readonly metadata?: readonly MetadataSpec[];
}

/** What the planner may know about connectors. */
export interface ConnectorLookup {
  /**
   * Problems with a table's WITH options (empty when valid); given the table's physical columns and PRIMARY KEY, also
   * the connector's and the format's problems with them (`key.fields` naming no column; `raw` reads one column).
   */
  validate(options: Readonly<Record<string, string>>, table?: TableShape): readonly OptionProblem[];
  /**
   * What a connector can do, or undefined when there is no such connector; given a table's options, what it can
   * do for that table (a sink in a changelog format accepts updates).
   */
  capabilities(identifier: string, options?: Readonly<Record<string, string>>): ConnectorCapabilities | undefined;
  /** The changelog a table with these options reads: from its connector, or else its format (default insert-only). */
  sourceChangelog(options: Readonly<Record<string, string>>): 'insert-only' | 'upsert' | 'retract';
}

/** What binding and planning a statement read from the session. */
export interface BinderContext {
  readonly catalog: Catalog;
  readonly functions: FunctionRegistry;
  readonly env: FunctionEnv;
  readonly connectors: ConnectorLookup;
  /** Whether `/*+ OPTIONS(...) *\/` hints may override table options (`table.dynamic-table-options.enabled`; default true). */
  readonly dynamicTableOptions?: boolean;
}
