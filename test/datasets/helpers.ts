import {createHash} from 'node:crypto'
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The small valid dataset of the docs: tiny-eval@1 (definitions.jsonl, prose.jsonl). */
export const FIXTURE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'datasets')
export const FIXTURE = join(FIXTURE_ROOT, 'datasets', 'tiny-eval', '1')

/** A fresh copy of the fixture as `<tmp>/d`; returns the temp folder (use it as cwd) and the copy. */
export function copyFixture(): {cwd: string; dir: string} {
  const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-'))
  const dir = join(cwd, 'd')
  cpSync(FIXTURE, dir, {recursive: true})
  return {cwd, dir}
}

export function readManifestJson(dir: string): Record<string, unknown> & {files: Record<string, string>} {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown> & {files: Record<string, string>}
}

export function writeManifestJson(dir: string, manifest: unknown): void {
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2))
}

/** Rewrites a JSONL file and updates its sha256 in the manifest, so only the line check can fail. */
export function rewriteFile(dir: string, file: string, content: string): void {
  writeFileSync(join(dir, file), content)
  const manifest = readManifestJson(dir)
  manifest.files[file] = createHash('sha256').update(content).digest('hex')
  writeManifestJson(dir, manifest)
}

/** Replaces line `n` (1-based) of a fixture file (keeping the manifest's hash right). */
export function replaceLine(dir: string, file: string, n: number, line: string): void {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n')
  lines[n - 1] = line
  rewriteFile(dir, file, lines.join('\n'))
}
