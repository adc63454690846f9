// Parsing Go with web-tree-sitter and the tree-sitter-go grammar, then copying the tree into
// our own `Node`s (see ast.ts). The grammar is loaded once per process. In Node it is found
// next to the installed `tree-sitter-go` package; in a browser the caller passes its bytes or
// URL through `initGoParser`, so this module itself never touches the file system.

import { Parser, Language } from 'web-tree-sitter';
import type { Node as TSNode } from 'web-tree-sitter';
import { computeLineStarts, lineCol, Node, type SourceFile } from './ast.js';
import { GoParseError, GrammarLoadError } from './errors.js';

export type GrammarSource = Uint8Array | string;

let parserPromise: Promise<Parser> | undefined;

/**
 * web-tree-sitter's Emscripten module: `Parser.init(opts)` builds the module on the very object
 * it is given, so keeping that object gives direct access to the C exports. The public
 * TreeCursor copies its four-word state in and out of wasm memory through a DataView on every
 * step and re-reads type names; walking with the raw exports leaves the state in tree-sitter's
 * transfer buffer and costs one wasm call per question. Pinned to web-tree-sitter 0.25.x; if
 * the exports are missing (another init won, another version) the public API is used instead.
 */
interface RawCursorExports {
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_delete_wasm(tree: number): void;
}
let raw: RawCursorExports | null = null;

/** Per grammar: type and field names as internalised strings, and which types are named. */
interface Names {
  types: string[];
  fields: string[];
  named: Uint8Array;
}
let names: Names | null = null;

function intern(s: string): string {
  // Property keys are internalised, so later `===` against literals is a pointer compare.
  return Object.keys({ [s]: 0 })[0]!;
}

function namesOf(lang: Language): Names {
  const types = lang.types.map((t) => intern(t ?? 'ERROR'));
  const fields = lang.fields.map((f) => intern(f ?? ''));
  const named = new Uint8Array(types.length);
  for (let i = 0; i < types.length; i++) named[i] = lang.nodeTypeIsNamed(i) ? 1 : 0;
  return { types, fields, named };
}

/** Loads the Go grammar. Without an argument (Node only) it resolves the installed package. */
export function initGoParser(grammar?: GrammarSource, runtimeWasm?: string | Uint8Array): Promise<Parser> {
  if (!parserPromise) {
    parserPromise = (async () => {
      try {
        const opts: Record<string, unknown> = {};
        if (runtimeWasm instanceof Uint8Array) opts.wasmBinary = runtimeWasm;
        else if (typeof runtimeWasm === 'string') opts.locateFile = () => runtimeWasm;
        await Parser.init(opts);
        raw = hasRawCursor(opts) ? opts : null;
        const src = grammar ?? (await defaultGrammarPath());
        const lang = await Language.load(src);
        names = namesOf(lang);
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
  const file: SourceFile = {
    name,
    text,
    lineStarts: computeLineStarts(text),
    root: undefined as unknown as Node,
    pragmas: new Map(),
    hasGoto: false,
  };
  try {
    if (tree.rootNode.hasError) {
      const bad = firstError(tree.rootNode);
      const at = bad ? bad.startIndex : 0;
      const { line, col } = lineCol(file, at);
      const what = bad
        ? bad.isMissing
          ? `missing ${bad.type}`
          : `unexpected ${JSON.stringify(snippet(text, bad))}`
        : 'unknown';
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

function hasRawCursor(m: Record<string, unknown>): m is Record<string, unknown> & RawCursorExports {
  return [
    'goto_first_child',
    'goto_next_sibling',
    'goto_parent',
    'current_node_type_id',
    'current_field_id',
    'start_index',
    'end_index',
    'delete',
  ].every((f) => typeof m[`_ts_tree_cursor_${f}_wasm`] === 'function');
}

function convert(root: TSNode, file: SourceFile): Node {
  return raw && names ? convertRaw(root, file, raw, names) : convertPublic(root, file);
}

/** The copy through the raw cursor exports: an explicit stack instead of recursion. */
function convertRaw(root: TSNode, file: SourceFile, m: RawCursorExports, nm: Names): Node {
  const tree = (root.tree as unknown as Record<number, number>)[0]!;
  // walk() leaves the new cursor's state in the transfer buffer, where the raw calls keep it.
  root.walk();
  const { types, fields, named } = nm;
  const top = new Node(
    types[m._ts_tree_cursor_current_node_type_id_wasm(tree)]!,
    '',
    m._ts_tree_cursor_start_index_wasm(tree),
    m._ts_tree_cursor_end_index_wasm(tree),
    file,
  );
  // Children are gathered on one scratch stack and copied out at exact size when their parent
  // is finished; leaves keep the shared empty array (most nodes are leaves).
  // A `literal_element` (the wrapper tree-sitter puts around each element of a composite
  // literal, a tenth of some packages' nodes) gets no node: its one child takes its place and
  // its field. Its entry on `parents` is null, and `wrapperField` holds the field to pass on.
  const parents: (Node | null)[] = [top];
  const firstKid: number[] = [0];
  const wrapperField: string[] = [''];
  // `height` is the scratch stack's height: entries above it are stale, never cleared (setting an
  // array's length is slower than slicing a range).
  const scratch: Node[] = [];
  let height = 0;
  const finish = (n: Node, from: number): void => {
    if (height > from) {
      n.kids = scratch.slice(from, height);
      height = from;
    }
  };
  try {
    if (!m._ts_tree_cursor_goto_first_child_wasm(tree)) return top;
    for (;;) {
      const id = m._ts_tree_cursor_current_node_type_id_wasm(tree);
      let descended = false;
      if (named[id] === 1) {
        const kind = types[id]!;
        const start = m._ts_tree_cursor_start_index_wasm(tree);
        const end = m._ts_tree_cursor_end_index_wasm(tree);
        let field = fields[m._ts_tree_cursor_current_field_id_wasm(tree)]!;
        if (field === '' && parents[parents.length - 1] === null) field = wrapperField[wrapperField.length - 1]!;
        if (kind === 'comment') recordPragma(file, start, end);
        else if (kind === 'literal_element') {
          if (m._ts_tree_cursor_goto_first_child_wasm(tree)) {
            parents.push(null);
            firstKid.push(height);
            wrapperField.push(field);
            descended = true;
          }
        } else {
          const n = new Node(kind, field, start, end, file);
          if (kind === 'goto_statement') file.hasGoto = true;
          scratch[height++] = n;
          if (m._ts_tree_cursor_goto_first_child_wasm(tree)) {
            parents.push(n);
            firstKid.push(height);
            wrapperField.push('');
            descended = true;
          }
        }
      } else {
        const f = m._ts_tree_cursor_current_field_id_wasm(tree);
        if (f !== 0)
          scratch[height++] = new Node(
            types[id]!,
            fields[f]!,
            m._ts_tree_cursor_start_index_wasm(tree),
            m._ts_tree_cursor_end_index_wasm(tree),
            file,
          );
      }
      if (descended) continue;
      while (!m._ts_tree_cursor_goto_next_sibling_wasm(tree)) {
        const p = parents.pop()!;
        const from = firstKid.pop()!;
        wrapperField.pop();
        // A wrapper's child stays on the scratch stack, among its parent's kids.
        if (p) finish(p, from);
        if (parents.length === 0) return top;
        m._ts_tree_cursor_goto_parent_wasm(tree);
      }
    }
  } finally {
    m._ts_tree_cursor_delete_wasm(tree);
  }
}

function convertPublic(root: TSNode, file: SourceFile): Node {
  const cursor = root.walk();
  // Kids of `n`'s cursor node go to `kids`; a literal_element passes its field to its child (as in convertRaw).
  const kidsOf = (kids: Node[], wrapperField: string): void => {
    if (!cursor.gotoFirstChild()) return;
    do {
      const isNamed = cursor.nodeIsNamed;
      const f = cursor.currentFieldName ?? wrapperField;
      if (cursor.nodeType === 'goto_statement') file.hasGoto = true;
      if (cursor.nodeType === 'comment') {
        recordPragma(file, cursor.startIndex, cursor.endIndex);
        continue;
      }
      if (cursor.nodeType === 'literal_element') kidsOf(kids, f);
      else if (isNamed || f) kids.push(make(f));
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };
  const make = (field: string): Node => {
    const n = new Node(cursor.nodeType, field, cursor.startIndex, cursor.endIndex, file);
    const kids: Node[] = [];
    kidsOf(kids, '');
    if (kids.length) n.kids = kids;
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
