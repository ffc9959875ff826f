// A node:test reporter for tools/run-tests.mjs: one JSON line per finished test (file,
// outcome), so the runner can print how many tests ran in each suite after node's own
// report. Suites are left out (node counts their tests, not them), except a skipped one.
export default async function* summaryReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    const suite = d.details?.type === 'suite';
    let outcome;
    if (event.type === 'test:fail') outcome = suite ? undefined : 'failed';
    else if (d.skip !== undefined && d.skip !== false) outcome = 'skipped';
    else if (d.todo !== undefined && d.todo !== false) outcome = 'todo';
    else outcome = suite ? undefined : 'passed';
    if (outcome) yield `${JSON.stringify({ file: d.file ?? '', outcome })}\n`;
  }
}
