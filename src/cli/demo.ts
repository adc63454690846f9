// Placeholder until the heap lands.
import type { Subcommand } from './main.js';
export const demoCommand: Subcommand = {
  summary: 'demo',
  async run() {
    throw new Error('gomem demo: not built yet');
  },
};
