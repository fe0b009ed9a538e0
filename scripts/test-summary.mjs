// Reads Jest's JSON report and the smoke test's summary, prints how many
// database tests ran on each database, and the closing "N passed, N failed".
// Exits non-zero on any failure, or when no test ran on PostgreSQL.
import { existsSync, readFileSync } from 'node:fs';

const [jestFile, smokeFile] = process.argv.slice(2);
const read = file =>
  existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
const jest = read(jestFile);
const smoke = read(smokeFile) ?? { passed: 0, failed: 1, checks: [] };

let passed = smoke.passed;
let failed = smoke.failed;
const problems = [];

if (!jest) {
  problems.push('Jest wrote no report');
  failed += 1;
} else {
  passed += jest.numPassedTests;
  failed += jest.numFailedTests + jest.numRuntimeErrorTestSuites;
  const onDatabase = id =>
    jest.testResults
      .flatMap(suite => suite.assertionResults)
      .filter(test => test.status === 'passed' && test.fullName.includes(id))
      .length;
  const sqlite = onDatabase('SQLITE_3');
  const postgres = onDatabase('POSTGRES_15');
  console.log(
    `database tests passed: ${sqlite} on SQLite, ${postgres} on PostgreSQL 15`,
  );
  console.log(
    `jest: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed, ${jest.numPendingTests} skipped in ${jest.numTotalTestSuites} suites`,
  );
  if (postgres === 0) {
    problems.push(
      'no database test ran on PostgreSQL (is BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING reachable?)',
    );
    failed += 1;
  }
  if (sqlite === 0) {
    problems.push('no database test ran on SQLite');
    failed += 1;
  }
  for (const suite of jest.testResults.filter(s => s.status === 'failed')) {
    problems.push(`failed: ${suite.name}`);
  }
}
for (const check of smoke.checks.filter(c => !c.ok)) {
  problems.push(`smoke: ${check.name}: ${check.detail}`);
}
if (smoke.screenshotDir) console.log(`screenshots: ${smoke.screenshotDir}`);
problems.forEach(problem => console.log(`FAILED ${problem}`));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
