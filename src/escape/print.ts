// Prints expressions the way the Go compiler's IR formatter does in -m messages: single
// spaces around binary operators, parentheses only where precedence needs them, composite
// literals abbreviated to T{...}, closures as "func literal", implicit conversions as their
// operand and explicit conversions to unnamed types parenthesised: ([]byte)(s).

import { child, text, type Node } from './ast.js';
import { typeString, type FuncInfo, type Type } from './types.js';
import type { Selection } from './check.js';
import { unparen } from './check-expr.js';

const binPrec: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '|': 4,
  '^': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '<<': 5,
  '>>': 5,
  '&': 5,
  '&^': 5,
};

function prec(n: Node): number {
  switch (n.kind) {
    case 'binary_expression':
      return binPrec[text(child(n, 'operator')!)] ?? 4;
    case 'unary_expression':
      return 7;
    default:
      return 8;
  }
}

export function printExpr(n: Node, p = 0): string {
  // Go's IR keeps no parentheses: they come back only where precedence needs them.
  if (n.kind === 'parenthesized_expression' && n.kids.length === 1) return printExpr(n.kids[0]!, p);
  const s = printInner(n);
  if (prec(n) < p) return `(${s})`;
  return s;
}

export function printType(t: Type): string {
  return typeString(t);
}

function printInner(n: Node): string {
  switch (n.kind) {
    case 'identifier':
    case 'field_identifier':
    case 'type_identifier':
    case 'int_literal':
    case 'float_literal':
    case 'imaginary_literal':
    case 'rune_literal':
    case 'true':
    case 'false':
    case 'nil':
    case 'iota':
      return text(n);
    case 'interpreted_string_literal':
      return text(n);
    case 'raw_string_literal':
      return JSON.stringify(text(n).slice(1, -1));
    case 'parenthesized_expression':
      return `(${printExpr(n.kids[0]!)})`;
    case 'selector_expression':
      return `${printExpr(child(n, 'operand')!, 8)}.${text(child(n, 'field')!)}`;
    case 'index_expression':
      return `${printExpr(child(n, 'operand')!, 8)}[${printExpr(child(n, 'index')!)}]`;
    case 'slice_expression': {
      const f = (k: string) => {
        const e = child(n, k);
        return e ? printExpr(e) : '';
      };
      const cap = child(n, 'capacity');
      return `${printExpr(child(n, 'operand')!, 8)}[${f('start')}:${f('end')}${cap ? ':' + f('capacity') : ''}]`;
    }
    case 'type_assertion_expression':
      return `${printExpr(child(n, 'operand')!, 8)}.(${typeString(n.type!)})`;
    case 'unary_expression': {
      const op = text(child(n, 'operator')!);
      const x = child(n, 'operand')!;
      // The compiler prints a unary operand one level tighter: a unary inside a unary is
      // parenthesised (*(*p), *(&x), -(-x)).
      return `${op}${printExpr(x, 8)}`;
    }
    case 'binary_expression': {
      if (n.role === 'addstr')
        return addStrParts(n)
          .map((x) => printExpr(x, 5))
          .join(' + ');
      const op = text(child(n, 'operator')!);
      const pr = binPrec[op] ?? 4;
      return `${printExpr(child(n, 'left')!, pr)} ${op} ${printExpr(child(n, 'right')!, pr + 1)}`;
    }
    case 'func_literal':
      return 'func literal';
    case 'composite_literal': {
      const body = child(n, 'body')!;
      return `${typeString(n.type!)}{${body.kids.length ? '...' : ''}}`;
    }
    case 'literal_value':
      return `${n.type ? typeString(n.role === 'elided-ptrlit' && n.type.k === 'pointer' ? n.type.elem : n.type) : ''}{${n.kids.length ? '...' : ''}}`;
    case 'type_conversion_expression':
    case 'call_expression':
      return printCall(n);
    default:
      return text(n);
  }
}

export function addStrParts(n: Node): Node[] {
  const out: Node[] = [];
  const stack = [n];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'binary_expression' && (x.role === 'addstr' || x === n)) {
      stack.push(child(x, 'right')!, child(x, 'left')!);
    } else out.push(x);
  }
  return out;
}

function args(n: Node): Node[] {
  if (n.kind === 'type_conversion_expression') return [child(n, 'operand')!];
  const a = child(n, 'arguments');
  return a ? a.kids : [];
}

/** `T.M` / `(*T).M` and the receiver argument, for a static method call. */
function methodForm(fnNode: Node, fn: FuncInfo, sel: Selection): { fn: string; recv: string } | null {
  const s = unparen(fnNode);
  if (s.kind !== 'selector_expression') return null;
  const base = child(s, 'operand')!;
  let recv = printExpr(base, 8);
  for (const st of sel.steps) recv += `.${st.field.name}`;
  // The implicit & or * on the receiver is not printed (the IR formatter skips implicit nodes).
  return { fn: fn.name, recv };
}

function printCall(n: Node): string {
  const as = args(n);
  if (n.role === 'conv') {
    const t = n.type!;
    const x = as[0]!;
    const ts = typeString(t);
    const inner = printExpr(x.kind === 'variadic_argument' ? x.kids[0]! : x);
    if (t.k === 'named' || t.k === 'basic') return `${ts}(${inner})`;
    return `(${ts})(${inner})`;
  }
  const fnNode = child(n, 'function')!;
  if (n.role === 'builtin') {
    const name = (n.data as { name: string }).name;
    if (name === 'new' || name === 'make') {
      const t = as[0]!;
      const rest = as.slice(1).map((a) => printExpr(a));
      const ts = typeString(n.type && name === 'new' && n.type.k === 'pointer' ? n.type.elem : n.type!);
      return `${name}(${[ts, ...rest].join(', ')})`.replace(/^new\(\?\)/, `new(${text(t)})`);
    }
  }
  const info = n.data as
    | {
        sig?: { variadic: boolean; params: unknown[] } | null;
        ddd?: boolean;
        kind?: string;
        fn?: FuncInfo;
        sel?: Selection;
      }
    | undefined;
  const method =
    n.role === 'call' && info?.kind === 'method' && info.fn && info.sel?.kind === 'method'
      ? methodForm(fnNode, info.fn, info.sel)
      : null;
  if (method) {
    // Escape analysis rewrites x.M(a) into the method-expression call T.M(x, a) first, and the
    // explanations print the rewritten call.
    const rest = as.map((a) => (a.kind === 'variadic_argument' ? printExpr(a.kids[0]!) + '...' : printExpr(a)));
    if (info?.sig?.variadic && !info.ddd && as.length >= info.sig.params.length)
      rest.splice(info.sig.params.length - 1, Infinity, '... argument...');
    return `${method.fn}(${[method.recv, ...rest].join(', ')})`;
  }
  if (n.role === 'call' && info?.sig?.variadic && !info.ddd && as.length >= info.sig.params.length) {
    // The compiler prints the packed variadic arguments as one implicit slice.
    const fixed = as.slice(0, info.sig.params.length - 1).map((a) => printExpr(a));
    return `${printExpr(fnNode, 8)}(${[...fixed, '... argument...'].join(', ')})`;
  }
  const argStr = as
    .map((a) => (a.kind === 'variadic_argument' ? printExpr(a.kids[0]!) + '...' : printExpr(a)))
    .join(', ');
  return `${printExpr(unparen(fnNode) === fnNode ? fnNode : fnNode, 8)}(${argStr})`;
}

/**
 * A statement as the compiler's IR formatter prints it in -m=2 explanations: assignments with
 * their operator (`x := T{...}`, `a, b = f()`), `var x = v` as `x = v`, `return a, b`, sends,
 * and any loop as `for loop`.
 */
export function printStmt(n: Node): string {
  const list = (l: Node | undefined) => (l ? l.kids.map((k) => printExpr(k)).join(', ') : '');
  switch (n.kind) {
    case 'assignment_statement':
      return `${list(child(n, 'left'))} ${text(child(n, 'operator')!)} ${list(child(n, 'right'))}`;
    case 'short_var_declaration':
      return `${list(child(n, 'left'))} := ${list(child(n, 'right'))}`;
    case 'var_spec': {
      const names = n.kids
        .filter((k) => k.field === 'name')
        .map((k) => text(k))
        .join(', ');
      return `${names} = ${list(child(n, 'value'))}`;
    }
    case 'return_statement':
      return `return ${list(n.kids[0])}`;
    case 'send_statement':
      return `${printExpr(child(n, 'channel')!)} <- ${printExpr(child(n, 'value')!)}`;
    case 'inc_statement':
      return `${printExpr(n.kids[0]!)}++`;
    case 'dec_statement':
      return `${printExpr(n.kids[0]!)}--`;
    case 'for_statement':
    case 'range_clause':
      return 'for loop';
    default:
      return text(n).split('\n')[0]!.slice(0, 60);
  }
}
