// Asserts that racelint reports no `partial-parse` warning for a TypeScript
// or JavaScript file that the TypeScript compiler's own parser accepts.
//
//   node TscParseAgreement.js TYPESCRIPT_PACKAGE_DIR RACELINT PATH...
//
// PATHs are files or directories, walked for the front-end's extensions and
// skipping what racelint skips by default. Exits 1 on a disagreement.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const path = require('path');

const [typescriptDir, racelint, ...roots] = process.argv.slice(2);
if (!typescriptDir || !racelint || roots.length === 0) {
  console.error('usage: node TscParseAgreement.js TYPESCRIPT_DIR RACELINT PATH...');
  process.exit(2);
}
const ts = require(path.resolve(typescriptDir));

// The compiler reads JSX in .js files too, as the javascript grammar does.
const scriptKinds = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
  '.jsx': ts.ScriptKind.JSX,
};

const skippedDirectories =
    new Set(['node_modules', 'dist', 'build', 'out', 'coverage']);

function collect(root, files) {
  if (fs.statSync(root).isFile()) {
    if (path.extname(root) in scriptKinds)
      files.push(root);
    return files;
  }
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || skippedDirectories.has(entry.name))
      continue;
    collect(path.join(root, entry.name), files);
  }
  return files;
}

/// The compiler's syntax errors in `file`: the first one, or null.
function firstSyntaxError(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'),
                                     ts.ScriptTarget.Latest,
                                     /*setParentNodes=*/false,
                                     scriptKinds[path.extname(file)]);
  const [error] = source.parseDiagnostics;
  if (!error)
    return null;
  const { line } = source.getLineAndCharacterOfPosition(error.start);
  return `${line + 1}: ${ts.flattenDiagnosticMessageText(error.messageText, ' ')}`;
}

const files = roots.flatMap((root) => collect(root, [])).sort();
const accepted = [];
for (const file of files) {
  const error = firstSyntaxError(file);
  if (error)
    console.log(`tsc rejects ${file}:${error} (not compared)`);
  else
    accepted.push(file);
}
if (accepted.length === 0) {
  console.error('no file the compiler accepts: nothing compared');
  process.exit(1);
}

const report = JSON.parse(childProcess.execFileSync(
    racelint, ['scan', ...accepted, '--format', 'json', '--fail-on', 'never'],
    { encoding: 'utf8', maxBuffer: 1 << 28 }));
const warned = new Map();
for (const notification of report.notifications || [])
  if (notification.id === 'partial-parse')
    warned.set(path.resolve(notification.location.file), notification);

let disagreements = 0;
for (const file of accepted) {
  const notification = warned.get(path.resolve(file));
  if (!notification)
    continue;
  ++disagreements;
  console.log(`${file}:${notification.location.line}:` +
              `${notification.location.column}: tsc accepts the file, ` +
              `racelint warns: ${notification.message}`);
}
console.log(`${accepted.length} files the compiler accepts, ` +
            `${disagreements} with a partial-parse warning`);
process.exit(disagreements === 0 ? 0 : 1);
