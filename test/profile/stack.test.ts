// Stack text parsing for the heap profile: V8 and Gecko/JSC frame formats, and the user-stack key.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStack, userStackKey } from '../../src/profile/stack.js';

describe('parseStack', () => {
  it('reads V8 frames, with and without a function name, async and URL files', () => {
    const text = [
      'Error',
      '    at Heap.malloc (file:///srv/app/node_modules/gomem/dist/runtime/heap.js:370:31)',
      '    at async handle (file:///srv/my%20app/server.js:12:5)',
      '    at file:///srv/app/main.js:3:1',
      '    at new Cache (/srv/app/cache.js:7:9)',
      '    at <anonymous>',
    ].join('\n');
    expect(parseStack(text)).toEqual([
      { function: 'Heap.malloc', file: '/srv/app/node_modules/gomem/dist/runtime/heap.js', line: 370, column: 31 },
      { function: 'handle', file: '/srv/my app/server.js', line: 12, column: 5 },
      { function: '(anonymous)', file: '/srv/app/main.js', line: 3, column: 1 },
      { function: 'new Cache', file: '/srv/app/cache.js', line: 7, column: 9 },
    ]);
  });

  it('reads Gecko/JavaScriptCore frames and skips lines that are not frames', () => {
    const text = 'allocate@https://example.com/app.js?v=3:10:4\n@https://example.com/app.js:20:1\nnot a frame\n';
    expect(parseStack(text)).toEqual([
      { function: 'allocate', file: 'https://example.com/app.js', line: 10, column: 4 },
      { function: '(anonymous)', file: 'https://example.com/app.js', line: 20, column: 1 },
    ]);
  });

  it('keys a stack by its user part, so different internal paths to one call site share a key', () => {
    const here = new Error().stack!.split('\n')[1]!; // a frame of this test file: not internal
    const heapFile = join(__dirname, '../../src/runtime/heap.ts');
    const viaFast = `Error\n    at Heap.malloc (${heapFile}:1:1)\n${here}`;
    const viaSlow = `Error\n    at Heap.allocSmall (${heapFile}:9:9)\n    at Heap.malloc (${heapFile}:2:2)\n${here}`;
    expect(userStackKey(viaFast)).toBe(here);
    expect(userStackKey(viaSlow)).toBe(here);
    expect(parseStack(viaSlow)).toHaveLength(3);
  });
});
