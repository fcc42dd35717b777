/**
 * Ctrl-C for the command line and the plain-text shell: the first SIGINT runs `handler` (cancel the running
 * query), a second one exits with 130. Returns a function that unregisters both.
 */
export function onProcessInterrupt(handler: () => void): () => void {
  const exitNow = () => process.exit(130);
  const onSigint = () => {
    handler();
    process.once('SIGINT', exitNow);
  };
  process.once('SIGINT', onSigint);
  return () => {
    process.off('SIGINT', onSigint);
    process.off('SIGINT', exitNow);
  };
}
