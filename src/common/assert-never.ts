/** Exhaustive dispatch: the `default` of a switch over a closed union, which compiles only when every case is handled. */
export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify((x as { kind?: unknown })?.kind ?? x)}`);
}
