#!/usr/bin/env node
// Minimal solc command line on top of npm's solc (wasm), for offline compilation.
// Answers the two calls py-solc-x and Brownie make:
//   solc --version
//   solc --standard-json [--allow-paths a,b] [--base-path p] [--include-path p]  < input.json
// Imports that are not in the input are read from disk (base path, include paths,
// allow paths, then node_modules), as the native solc does.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

function parseArgs(argv) {
  const opts = { standardJson: false, version: false, roots: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const takeValue = () => {
      const eq = arg.indexOf("=");
      return eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    };
    if (arg === "--version") opts.version = true;
    else if (arg === "--standard-json") opts.standardJson = true;
    else if (arg.startsWith("--allow-paths")) opts.roots.push(...takeValue().split(","));
    else if (arg.startsWith("--base-path") || arg.startsWith("--include-path")) opts.roots.unshift(takeValue());
    else if (arg === "--help" || arg === "-h") opts.help = true;
    else {
      process.stderr.write(`solc (wasm shim): unsupported option ${arg}\n`);
      process.exit(2);
    }
  }
  return opts;
}

function makeImportCallback(roots) {
  const searchRoots = [process.cwd(), ...roots, path.join(__dirname, "..", "..", "node_modules")];
  return function findImports(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : searchRoots.map((root) => path.resolve(root, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, "utf8") };
      } catch (err) {
        // try the next root
      }
    }
    return { error: `File not found: ${importPath} (searched ${searchRoots.join(", ")})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    process.stdout.write(
      `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`,
    );
    return;
  }
  if (!opts.standardJson || opts.help) {
    process.stderr.write("usage: solc --version | solc --standard-json [--allow-paths ...] < input.json\n");
    process.exit(opts.help ? 0 : 2);
  }
  const input = fs.readFileSync(0, "utf8");
  const output = solc.compile(input, { import: makeImportCallback(opts.roots) });
  process.stdout.write(output);
}

main();
