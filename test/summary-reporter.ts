// Prints one plain closing line, "N passed, N failed", after vitest's own summary so that tools
// which read a run's last line (CI included) see the counts without parsing vitest's format.
import type { Reporter } from 'vitest/reporters';
import type { RunnerTestFile, RunnerTask } from 'vitest';

function count(tasks: RunnerTask[], acc: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      count(task.tasks, acc);
      if (task.result?.state === 'fail' && task.tasks.length === 0) acc.failed++;
      continue;
    }
    const state = task.result?.state;
    if (state === 'pass') acc.passed++;
    else if (state === 'fail') acc.failed++;
    else acc.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const acc = { passed: 0, failed: 0, skipped: 0 };
    for (const file of files) {
      count(file.tasks, acc);
      // A file that failed to load has no tasks but did fail.
      if (file.result?.state === 'fail' && file.tasks.length === 0) acc.failed++;
    }
    acc.failed += errors.length;
    process.stdout.write(`\n${acc.passed} passed, ${acc.failed} failed, ${acc.skipped} skipped\n`);
  }
}
