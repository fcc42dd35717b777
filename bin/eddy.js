#!/usr/bin/env node
// Entry point of the `eddy` command: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err?.stack ?? String(err)); process.exitCode = 70; },
);
