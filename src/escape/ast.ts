// The syntax tree the analysis works on: a plain-object mirror of tree-sitter's concrete tree.
// tree-sitter nodes are wasm-backed handles that are slow to revisit and cannot carry our own
// annotations, so each file is copied once into `Node`s that the type checker decorates in place
// (types, resolved objects, implicit conversions) and the escape walker then reads.
// Only named nodes are kept, plus anonymous tokens that sit in a field (operators); the
// `literal_element` wrapper around each composite-literal element is left out (its child takes
// its place and field).

import type { Obj, Type, ConstValue } from './types.js';

export interface SourceFile {
  name: string;
  text: string;
  /** UTF-16 offsets at which each line starts. */
  lineStarts: number[];
  root: Node;
  /** `//go:` directives by the line they appear on (1-based). */
  pragmas: Map<number, string[]>;
  /** Whether any goto statement occurs (only then are labels scanned for backward jumps). */
  hasGoto: boolean;
}

/** The `kids` of every leaf: shared, never mutated. */
const NO_KIDS: Node[] = [];

/**
 * One syntax node. A class rather than an object literal so that every node has the same
 * shape from the start (the checker's annotations are declared up front): property reads in
 * the checker and walker stay monomorphic, which matters over a million-node package.
 */
export class Node {
  // --- annotations set by the checker ---
  type: Type | undefined = undefined;
  obj: Obj | undefined = undefined;
  cval: ConstValue | undefined = undefined;
  /** The interface type this expression is implicitly converted to where it is used, and the
   *  offset of that conversion (the statement or call it happens at); rare, so one field. */
  implicit: { to: Type; at: number } | undefined = undefined;
  /** Checker-assigned meaning for ambiguous syntax (conversion vs call, method value, ...). */
  role: string | undefined = undefined;
  /** Free-form per-node data for the checker/walker: its shape depends on the node's kind and
   *  role, and each reader casts it to what it expects. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any = undefined;
  kids: Node[] = NO_KIDS;
  constructor(
    readonly kind: string,
    /** Field name under the parent, or '' when the child sits in no field. */
    readonly field: string,
    readonly start: number,
    readonly end: number,
    readonly file: SourceFile,
  ) {}
}

/** A copy of a parsed file with a fresh, unannotated tree (the text and line table are shared). */
export function cloneFile(f: SourceFile): SourceFile {
  const copy: SourceFile = { ...f, pragmas: new Map(f.pragmas) };
  const clone = (n: Node): Node => {
    const c = new Node(n.kind, n.field, n.start, n.end, copy);
    if (n.kids.length) c.kids = n.kids.map(clone);
    return c;
  };
  copy.root = clone(f.root);
  return copy;
}

export function child(n: Node, field: string): Node | undefined {
  const kids = n.kids;
  for (let i = 0; i < kids.length; i++) if (kids[i]!.field === field) return kids[i];
  return undefined;
}

export function children(n: Node, field: string): Node[] {
  return n.kids.filter((k) => k.field === field);
}

export function text(n: Node): string {
  return n.file.text.slice(n.start, n.end);
}

/** 1-based line and 1-based byte column of a UTF-16 offset, as Go reports positions. */
export function lineCol(file: SourceFile, offset: number): { line: number; col: number } {
  const starts = file.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  const prefix = file.text.slice(starts[lo]!, offset);
  return { line: lo + 1, col: utf8Length(prefix) + 1 };
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function posString(file: SourceFile, offset: number): string {
  const { line, col } = lineCol(file, offset);
  return `${file.name}:${line}:${col}`;
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/**
 * The offset Go's compiler uses as an expression's position: calls and conversions at their
 * '(' , composite literals at '{', binary expressions at the operator, selectors at the '.'.
 */
export function goPos(n: Node): number {
  switch (n.kind) {
    case 'call_expression': {
      const a = child(n, 'arguments');
      return a ? a.start : n.start;
    }
    case 'type_conversion_expression': {
      const t = child(n, 'type');
      const i = t ? n.file.text.indexOf('(', t.end) : -1;
      return i >= 0 ? i : n.start;
    }
    case 'composite_literal': {
      const b = child(n, 'body');
      return b ? b.start : n.start;
    }
    case 'binary_expression': {
      const o = child(n, 'operator');
      return o ? o.start : n.start;
    }
    case 'selector_expression': {
      const x = child(n, 'operand');
      const i = x ? n.file.text.indexOf('.', x.end) : -1;
      return i >= 0 ? i : n.start;
    }
    case 'parenthesized_expression':
      return n.kids[0] ? goPos(n.kids[0]) : n.start;
    case 'index_expression':
    case 'slice_expression': {
      const x = child(n, 'operand');
      const i = x ? n.file.text.indexOf('[', x.end) : -1;
      return i >= 0 ? i : n.start;
    }
    case 'type_assertion_expression': {
      const x = child(n, 'operand');
      const i = x ? n.file.text.indexOf('.', x.end) : -1;
      return i >= 0 ? i : n.start;
    }
    // Statements: assignments sit at their operator, sends at the arrow, range loops at `range`.
    case 'assignment_statement':
    case 'short_var_declaration': {
      const op = child(n, 'operator');
      if (op) return op.start;
      const l = child(n, 'left');
      const i = l ? n.file.text.indexOf(':=', l.end) : -1;
      return i >= 0 ? i : n.start;
    }
    case 'send_statement': {
      const ch = child(n, 'channel');
      const i = ch ? n.file.text.indexOf('<-', ch.end) : -1;
      return i >= 0 ? i : n.start;
    }
    case 'range_clause': {
      const r = child(n, 'right');
      const i = r ? n.file.text.lastIndexOf('range', r.start) : -1;
      return i >= 0 ? i : n.start;
    }
    default:
      return n.start;
  }
}
