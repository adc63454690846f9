#!/usr/bin/env node
// The `gomem` command: a thin launcher for the compiled CLI in dist/ (built by `npm run build`,
// which `npm ci` runs through the `prepare` script).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    process.stderr.write(`gomem: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
