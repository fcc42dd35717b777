/**
 * Subscribes to key presses. Uses ink's stdin event stream (each escape sequence, or run of text, as ink
 * reads it) and decodes keys itself, so Delete, Ctrl/Alt-arrows and pasted text are told apart.
 */
import { useEffect } from 'react';
import { useStdin } from 'ink';
import { decodeKeys, type KeyEvent } from '../keys.js';

export function useKeys(handler: (key: KeyEvent) => void, active = true): void {
  const { setRawMode, isRawModeSupported, internal_eventEmitter: events } = useStdin();
  useEffect(() => {
    if (!active || !isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [active, isRawModeSupported, setRawMode]);
  useEffect(() => {
    if (!active) return;
    const onInput = (input: string) => {
      for (const key of decodeKeys(input)) handler(key);
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
    };
  }, [active, events, handler]);
}
