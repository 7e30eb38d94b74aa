#!/usr/bin/env node
// Prints the plain summary line `N passed, N failed` (`, N skipped` appended when some were)
// from one or more vitest JSON reports (`--reporter=json --outputFile.json=<file>`), and
// exits non-zero when a test failed, a test file failed to load, or no test ran at all.
//
//   node scripts/test-summary.mjs <report.json | directory of reports>...
//
// With several reports (CI runs the suite on Node 20, 22 and 24) one line per report goes
// first and the last line is the total, so a failure on any Node version shows in it. A
// report that is named but missing counts as a run in which no test ran.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help')) {
  console.error('usage: node scripts/test-summary.mjs <report.json | directory>...');
  process.exit(args.length === 0 ? 64 : 0);
}

const files = args.flatMap((arg) => {
  try {
    if (!statSync(arg).isDirectory()) return [arg];
  } catch {
    return [arg];
  }
  return readdirSync(arg)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(arg, name));
});

/** Counts of one report; a file that failed to load, with no failing test, counts as one failure. */
function countReport(file) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${file}: no readable vitest report (${error.message})`);
    return { passed: 0, failed: 0, skipped: 0, loadErrors: 0, ran: false };
  }
  const brokenFiles = (report.testResults ?? []).filter(
    (result) =>
      result.status === 'failed' && !(result.assertionResults ?? []).some((test) => test.status === 'failed'),
  );
  for (const result of brokenFiles) {
    console.log(`${result.name}: failed outside any test: ${result.message || '(no message)'}`);
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    loadErrors: brokenFiles.length,
    ran: true,
  };
}

function line({ passed, failed, skipped, loadErrors }) {
  const text = `${passed} passed, ${failed + loadErrors} failed`;
  return skipped > 0 ? `${text}, ${skipped} skipped` : text;
}

// Everything goes to stdout, so that nothing can land after the summary line in a merged log.
if (files.length === 0) console.log(`no vitest report in ${args.join(' ')}: no test ran`);
const reports = files.map((file) => ({ file, ...countReport(file) }));
const total = { passed: 0, failed: 0, skipped: 0, loadErrors: 0 };
let ok = reports.length > 0;
for (const report of reports) {
  for (const key of Object.keys(total)) total[key] += report[key];
  if (!report.ran || report.failed + report.loadErrors > 0 || report.passed === 0) ok = false;
  if (reports.length > 1) console.log(`${basename(report.file, '.json')}: ${line(report)}`);
}
console.log(line(total));
process.exitCode = ok ? 0 : 1;
