#!/usr/bin/env node
// The build: tsc's emit of tsconfig.build.json into dist/, with one transform — numeric constants are
// written into the code that uses them.
//
// Why: the allocator's fast paths index the buffer with layout constants (S_BASE, S_MARK_BITS, …) that
// live in one module (src/runtime/layout.ts) so the layout is declared once. But an imported binding is
// a live module binding to V8: optimised code loads it from a cell, checks it is initialised, untags it
// and adds it with an overflow check — half a dozen instructions and a branch per use. Written as a
// literal, the same constant folds into the address. On `free`/`malloc` pairs that is a third of the
// time. C would do this with #define; TypeScript's `const enum` would too, but at the price of `L.S_BASE`
// at every one of ~900 use sites.
//
// What is inlined: a use of a top-level `const` whose name is in CONSTANT_CASE and whose initializer
// folds to a finite number from literals, arithmetic and bitwise operators, and other such constants.
// Uses are found by the type checker's symbol resolution (through imports), never by matching text, so
// a local variable that happens to share a name is left alone. Declarations and exports stay as they
// are: other modules, tests and users still import the constants.
//
//   node scripts/build.mjs [--project tsconfig.build.json] [--no-inline]

import ts from 'typescript';
import { dirname, resolve } from 'node:path';

const args = process.argv.slice(2);
const projectArg = args.indexOf('--project');
const project = resolve(projectArg >= 0 ? args[projectArg + 1] : 'tsconfig.build.json');
const inline = !args.includes('--no-inline');

const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

function readProject(path) {
  const read = ts.readConfigFile(path, ts.sys.readFile);
  if (read.error) return { errors: [read.error] };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path), undefined, path);
  return { parsed, errors: parsed.errors };
}

/** Folds the value of constants: symbol → number, or null when it is not a foldable numeric constant. */
function constantFolder(checker) {
  const memo = new Map();
  const evaluating = new Set();

  function declarationOf(symbol) {
    const s = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const d = s.valueDeclaration;
    if (!d || !ts.isVariableDeclaration(d) || !ts.isIdentifier(d.name) || !d.initializer) return null;
    const list = d.parent;
    if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return null;
    if (!ts.isVariableStatement(list.parent) || !ts.isSourceFile(list.parent.parent)) return null;
    if (!CONSTANT_NAME.test(d.name.text)) return null;
    return { symbol: s, declaration: d };
  }

  function fold(expr) {
    if (ts.isNumericLiteral(expr)) return Number(expr.text);
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) {
      return fold(expr.expression);
    }
    if (ts.isPrefixUnaryExpression(expr)) {
      const v = fold(expr.operand);
      if (v === null) return null;
      switch (expr.operator) {
        case ts.SyntaxKind.MinusToken:
          return -v;
        case ts.SyntaxKind.PlusToken:
          return v;
        case ts.SyntaxKind.TildeToken:
          return ~v;
        default:
          return null;
      }
    }
    if (ts.isBinaryExpression(expr)) {
      const a = fold(expr.left);
      const b = a === null ? null : fold(expr.right);
      if (b === null) return null;
      switch (expr.operatorToken.kind) {
        case ts.SyntaxKind.PlusToken:
          return a + b;
        case ts.SyntaxKind.MinusToken:
          return a - b;
        case ts.SyntaxKind.AsteriskToken:
          return a * b;
        case ts.SyntaxKind.SlashToken:
          return a / b;
        case ts.SyntaxKind.PercentToken:
          return a % b;
        case ts.SyntaxKind.AsteriskAsteriskToken:
          return a ** b;
        case ts.SyntaxKind.LessThanLessThanToken:
          return a << b;
        case ts.SyntaxKind.GreaterThanGreaterThanToken:
          return a >> b;
        case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
          return a >>> b;
        case ts.SyntaxKind.BarToken:
          return a | b;
        case ts.SyntaxKind.AmpersandToken:
          return a & b;
        case ts.SyntaxKind.CaretToken:
          return a ^ b;
        default:
          return null;
      }
    }
    if (ts.isIdentifier(expr)) {
      const symbol = checker.getSymbolAtLocation(expr);
      return symbol ? valueOf(symbol) : null;
    }
    return null;
  }

  function valueOf(symbol) {
    if (memo.has(symbol)) return memo.get(symbol);
    const found = declarationOf(symbol);
    let value = null;
    if (found !== null) {
      if (memo.has(found.symbol)) value = memo.get(found.symbol);
      else if (!evaluating.has(found.symbol)) {
        evaluating.add(found.symbol);
        const v = fold(found.declaration.initializer);
        evaluating.delete(found.symbol);
        value = v !== null && Number.isFinite(v) ? v : null;
        memo.set(found.symbol, value);
      }
    }
    memo.set(symbol, value);
    return value;
  }

  return valueOf;
}

/** The `before` transform: each use of a foldable constant becomes its literal. */
function inlineConstants(program, counter) {
  const checker = program.getTypeChecker();
  const valueOf = constantFolder(checker);
  const isUse = (node) => {
    const p = node.parent;
    if (!p) return false;
    if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) && p.name === node) return false;
    if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p))
      return false;
    if (ts.isPropertyAccessExpression(p) && p.name === node) return false;
    if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) && p.name === node)
      return false;
    if (ts.isShorthandPropertyAssignment(p) || ts.isExportAssignment(p)) return false;
    if (ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isEnumMember(p)) return false;
    return true;
  };
  return (context) => {
    const { factory } = context;
    const visit = (node) => {
      if (ts.isTypeNode(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return node;
      if (ts.isIdentifier(node) && CONSTANT_NAME.test(node.text) && isUse(node)) {
        const symbol = checker.getSymbolAtLocation(node);
        const value = symbol ? valueOf(symbol) : null;
        if (value !== null) {
          counter.uses++;
          const literal = factory.createNumericLiteral(Math.abs(value));
          const signed =
            value < 0 || Object.is(value, -0)
              ? factory.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, literal)
              : literal;
          // Parenthesised so that `-x`, `a.b` and the like keep their meaning, and a comment names the constant.
          return ts.addSyntheticTrailingComment(
            factory.createParenthesizedExpression(signed),
            ts.SyntaxKind.MultiLineCommentTrivia,
            ` ${node.text} `,
            false,
          );
        }
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (sourceFile) => ts.visitNode(sourceFile, visit);
  };
}

function main() {
  const { parsed, errors } = readProject(project);
  const host = ts.createCompilerHost(parsed ? parsed.options : {});
  const report = (diagnostics) => {
    if (diagnostics.length === 0) return;
    process.stderr.write(
      ts.formatDiagnosticsWithColorAndContext(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: ts.sys.getCurrentDirectory,
        getNewLine: () => ts.sys.newLine,
      }),
    );
  };
  if (errors.length > 0) {
    report(errors);
    return 1;
  }
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    host,
    projectReferences: parsed.projectReferences,
  });
  const counter = { uses: 0 };
  const emitted = program.emit(
    undefined,
    undefined,
    undefined,
    false,
    inline ? { before: [inlineConstants(program, counter)] } : undefined,
  );
  const diagnostics = ts.sortAndDeduplicateDiagnostics([...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]);
  report(diagnostics);
  if (diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error) || emitted.emitSkipped) return 1;
  if (process.env.GOMEM_BUILD_VERBOSE) process.stderr.write(`inlined ${counter.uses} constant uses\n`);
  return 0;
}

process.exitCode = main();
