// A quiet jest reporter for `npm run contract`: one line per area while the run goes on. The
// readable summary comes after the run (runner/report); jest's own failure dumps are not shown
// because the summary carries the same (masked) messages with their requirement IDs.
class ProgressReporter {
  onTestResult(_test, result) {
    const counts = result.testResults.reduce((acc, t) => ((acc[t.status] = (acc[t.status] || 0) + 1), acc), {});
    const area = result.testResults[0]?.ancestorTitles[0] ?? result.testFilePath;
    const failed = counts.failed ? `, ${counts.failed} breaking` : '';
    if (result.testExecError) process.stdout.write(`  ✗ ${area}: could not run\n`);
    else process.stdout.write(`  ${counts.failed ? '✗' : '✓'} ${area}: ${result.testResults.length} checks${failed}\n`);
  }
}
module.exports = ProgressReporter;
