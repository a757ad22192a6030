// Prints jest's totals from its JSON output as the plain closing line CI reads: "N passed, N failed".
// A suite that failed to run (syntax error, failing beforeAll) counts as one failure so it cannot hide.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.tmp/jest-results.json';
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`could not read jest results from ${file}: ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
console.log(`${results.numPassedTests} passed, ${failed} failed`);
process.exit(failed > 0 || !results.success ? 1 : 0);
