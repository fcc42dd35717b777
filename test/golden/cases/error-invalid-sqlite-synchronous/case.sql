-- state.sqlite.synchronous takes NORMAL or FULL (any case); other values are refused with the choices.
SET 'state.sqlite.synchronous' = 'FULL';
SET 'state.sqlite.synchronous' = 'EXTRA';
