// Parsing Go with web-tree-sitter and the tree-sitter-go grammar, then copying the tree into
// our own `Node`s (see ast.ts). The grammar is loaded once per process. In Node it is found
// next to the installed `tree-sitter-go` package; in a browser the caller passes its bytes or
// URL through `initGoParser`, so this module itself never touches the file system.

import { Parser, Language } from 'web-tree-sitter';
import type { Node as TSNode } from 'web-tree-sitter';
import { computeLineStarts, lineCol, type Node, type SourceFile } from './ast.js';
import { GoParseError, GrammarLoadError } from './errors.js';

export type GrammarSource = Uint8Array | string;

let parserPromise: Promise<Parser> | undefined;

/** Loads the Go grammar. Without an argument (Node only) it resolves the installed package. */
export function initGoParser(grammar?: GrammarSource, runtimeWasm?: string | Uint8Array): Promise<Parser> {
  if (!parserPromise) {
    parserPromise = (async () => {
      try {
        const opts: Record<string, unknown> = {};
        if (runtimeWasm instanceof Uint8Array) opts.wasmBinary = runtimeWasm;
        else if (typeof runtimeWasm === 'string') opts.locateFile = () => runtimeWasm;
        await Parser.init(opts);
        const src = grammar ?? (await defaultGrammarPath());
        const lang = await Language.load(src);
        const p = new Parser();
        p.setLanguage(lang);
        return p;
      } catch (e) {
        parserPromise = undefined;
        throw new GrammarLoadError(`cannot load the tree-sitter Go grammar: ${(e as Error).message}`);
      }
    })();
  }
  return parserPromise;
}

async function defaultGrammarPath(): Promise<string> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error('no grammar given: in a browser pass the tree-sitter-go.wasm bytes or URL');
  }
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('tree-sitter-go/package.json');
  return pkg.replace(/package\.json$/, 'tree-sitter-go.wasm');
}

/** Parses one file; throws GoParseError at the first syntax error. */
export function parseGo(parser: Parser, name: string, text: string): SourceFile {
  const tree = parser.parse(text);
  if (!tree) throw new GoParseError(name, 1, 1, 'parser returned no tree');
  const file: SourceFile = { name, text, lineStarts: computeLineStarts(text), root: undefined as unknown as Node, pragmas: new Map() };
  try {
    if (tree.rootNode.hasError) {
      const bad = firstError(tree.rootNode);
      const at = bad ? bad.startIndex : 0;
      const { line, col } = lineCol(file, at);
      const what = bad ? (bad.isMissing ? `missing ${bad.type}` : `unexpected ${JSON.stringify(snippet(text, bad))}`) : 'unknown';
      throw new GoParseError(name, line, col, what);
    }
    file.root = convert(tree.rootNode, file);
  } finally {
    tree.delete();
  }
  return file;
}

function snippet(text: string, n: TSNode): string {
  const s = text.slice(n.startIndex, Math.min(n.endIndex, n.startIndex + 20));
  return s.split('\n')[0] ?? s;
}

function firstError(n: TSNode): TSNode | null {
  if (n.type === 'ERROR' || n.isMissing) return n;
  if (!n.hasError) return null;
  for (let i = 0; i < n.childCount; i++) {
    const c = n.child(i);
    if (c) {
      const e = firstError(c);
      if (e) return e;
    }
  }
  return n;
}

function convert(root: TSNode, file: SourceFile): Node {
  const cursor = root.walk();
  const make = (field: string): Node => {
    const n: Node = { kind: cursor.nodeType, field, start: cursor.startIndex, end: cursor.endIndex, kids: [], file };
    if (cursor.gotoFirstChild()) {
      do {
        const isNamed = cursor.nodeIsNamed;
        const f = cursor.currentFieldName ?? '';
        if (cursor.nodeType === 'comment') {
          recordPragma(file, cursor.startIndex, cursor.endIndex);
          continue;
        }
        if (isNamed || f) n.kids.push(make(f));
      } while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
    return n;
  };
  const out = make('');
  cursor.delete();
  return out;
}

function recordPragma(file: SourceFile, start: number, end: number): void {
  const t = file.text.slice(start, end);
  if (!t.startsWith('//go:')) return;
  const line = lineCol(file, start).line;
  const word = t.slice(2).split(/\s/)[0]!;
  const list = file.pragmas.get(line) ?? [];
  list.push(word);
  file.pragmas.set(line, list);
}
