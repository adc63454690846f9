// Placeholder until the escape-analysis CLI lands (being written now).
import type { Subcommand } from '../cli/main.js';
export const escapeCommand: Subcommand = {
  summary: 'escape analysis of Go source',
  async run() {
    throw new Error('gomem escape: not built yet');
  },
};
