// Placeholder until the leak-doctor CLI lands (being written now).
import type { Subcommand } from '../cli/main.js';
export const leaksCommand: Subcommand = {
  summary: 'leak doctor',
  async run() {
    throw new Error('gomem leaks: not built yet');
  },
};
