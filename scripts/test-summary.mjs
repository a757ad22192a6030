// Prints jest's totals from its JSON output as the plain closing line CI reads: "N passed, N failed".
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
const failedSuites = results.numFailedTestSuites - results.numFailedTests > 0 ? results.numRuntimeErrorTestSuites : 0;
console.log(`${results.numPassedTests} passed, ${results.numFailedTests + failedSuites} failed`);
