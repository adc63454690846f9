// The `gomem` command line: one dispatcher, one module per subcommand. Subcommands are loaded
// lazily so that `gomem leaks` never pays for the escape analyser's parser and the reverse.

export interface Subcommand {
  /** One line for the top-level help. */
  summary: string;
  /** Runs the subcommand; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

const subcommands: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
  demo: {
    summary: 'run a workload on a gomem heap and print MemStats and the size-class table',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  escape: {
    summary: 'escape analysis of Go source, reported like `go build -gcflags=-m`',
    load: async () => (await import('../escape/cli.js')).escapeCommand,
  },
  inspect: {
    summary: 'run a workload and serve a live web view of its heap (page map, classes, curves, profile)',
    load: async () => (await import('./inspect.js')).inspectCommand,
  },
  leaks: {
    summary: "read a Go program's heap/goroutine profiles and MemStats series and name the leak",
    load: async () => (await import('../leaks/cli.js')).leaksCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(subcommands).map((k) => k.length));
  const lines = Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`);
  return [
    'usage: gomem <command> [options]',
    '',
    "Go's memory management system in TypeScript.",
    '',
    'commands:',
    ...lines,
    '',
    "Run 'gomem <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(pkg.version + '\n');
    return 0;
  }
  const entry = subcommands[name];
  if (!entry) {
    process.stderr.write(`gomem: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}
