// Deciding which frame is "the user's". The rule is: the first frame that is not
// runtime.*, time.*, sync.* or a profiler's. We go one step further and skip every standard
// library package (strings.Builder.grow is not what the user should fix), falling back to the
// narrow rule when a stack has nothing but standard-library frames. The standard library is
// recognised by the top-level element of the package path, which is a fixed, known set.
import type { Frame } from './types.js';

const standardTopLevel = new Set([
  'archive',
  'bufio',
  'builtin',
  'bytes',
  'compress',
  'container',
  'context',
  'crypto',
  'database',
  'debug',
  'embed',
  'encoding',
  'errors',
  'expvar',
  'flag',
  'fmt',
  'go',
  'hash',
  'html',
  'image',
  'index',
  'internal',
  'io',
  'log',
  'math',
  'mime',
  'net',
  'os',
  'path',
  'plugin',
  'reflect',
  'regexp',
  'runtime',
  'sort',
  'strconv',
  'strings',
  'sync',
  'syscall',
  'testing',
  'text',
  'time',
  'unicode',
  'unsafe',
  'vendor',
]);

/** The package path of a Go symbol such as `gomemleaks/x.(*T).m` or `main.f.func1`. */
export function packagePath(fn: string): string {
  const slash = fn.lastIndexOf('/');
  const dot = fn.indexOf('.', slash + 1);
  return dot < 0 ? fn : fn.slice(0, dot);
}

export function isStandardLibrary(fn: string): boolean {
  const pkg = packagePath(fn);
  if (pkg === 'main') return false;
  return standardTopLevel.has(pkg.split('/')[0] ?? '');
}

const profilerPackages = ['runtime/pprof', 'runtime/trace', 'net/http/pprof', 'github.com/google/pprof'];

/** Frames that belong to taking the profile itself; samples through them are not the program's. */
export function isProfilerFrame(fn: string): boolean {
  const pkg = packagePath(fn);
  return (
    profilerPackages.some((p) => pkg === p || pkg.startsWith(p + '/')) || fn === 'runtime.goroutineProfileWithLabels'
  );
}

function isNarrowlyExcluded(fn: string): boolean {
  const pkg = packagePath(fn);
  return (
    pkg === 'runtime' ||
    pkg === 'time' ||
    pkg === 'sync' ||
    pkg.startsWith('runtime/') ||
    pkg.startsWith('sync/') ||
    isProfilerFrame(fn)
  );
}

/** The frame the user should look at, or undefined for stacks made only of runtime/profiler frames. */
export function userFrame(stack: readonly Frame[]): Frame | undefined {
  return stack.find((f) => !isStandardLibrary(f.function)) ?? stack.find((f) => !isNarrowlyExcluded(f.function));
}

export function frameKey(f: Frame): string {
  return `${f.function} ${f.file}:${f.line}`;
}

export function formatStack(stack: readonly Frame[], limit = 12): string[] {
  return stack.slice(0, limit).map(frameKey);
}
