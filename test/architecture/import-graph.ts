/**
 * The import graph of a source tree, read with the TypeScript compiler: every `import`/`export … from`
 * (type-only ones too), every `import('…')` (dynamic) and every `import x = require('…')`. Edges
 * point from a file to the file or package it names, paths relative to `root` with forward slashes.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative, resolve, dirname, sep} from 'node:path'
import ts from 'typescript'

export interface ImportEdge {
  from: string
  /** a path relative to root for a relative specifier (".js" mapped back to ".ts"), else the package name */
  to: string
  line: number
  kind: 'static' | 'type' | 'dynamic' | 'require'
}

/** Every .ts file under `dir` (recursively), relative to root. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(relative(root, p).split(sep).join('/'))
    }
  }
  walk(join(root, dir))
  return out.sort()
}

/** The imports of one file's text. */
export function fileImports(root: string, file: string, text = readFileSync(join(root, file), 'utf8')): ImportEdge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const edges: ImportEdge[] = []
  const add = (spec: ts.Expression | undefined, kind: ImportEdge['kind'], node: ts.Node) => {
    if (spec === undefined || !ts.isStringLiteralLike(spec)) return
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1
    edges.push({from: file, to: target(root, file, spec.text), line, kind})
  }
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const typeOnly = node.importClause?.isTypeOnly === true ||
        (node.importClause?.namedBindings !== undefined && ts.isNamedImports(node.importClause.namedBindings) && node.importClause.name === undefined &&
          node.importClause.namedBindings.elements.length > 0 && node.importClause.namedBindings.elements.every((e) => e.isTypeOnly))
      add(node.moduleSpecifier, typeOnly ? 'type' : 'static', node)
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'static', node)
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, 'require', node)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], 'dynamic', node)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, 'type', node)
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return edges
}

/** All edges of the files under `dir`. */
export function importGraph(root: string, dir = 'src'): ImportEdge[] {
  return sourceFiles(root, dir).flatMap((f) => fileImports(root, f))
}

function target(root: string, from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec
  const abs = resolve(root, dirname(from), spec).replace(/\.js$/, '.ts')
  return relative(root, abs).split(sep).join('/')
}
