/**
 * Names from outside (labels, run names, cohorts, record ids, file names) printed where a terminal
 * or a CI log interprets text: control characters would move the cursor, recolour or hide text
 * (C0 incl. ESC, DEL, C1), start a new line (LF, CR, U+2028/2029) — and a line starting with `::`
 * is a GitHub Actions workflow command — or reorder what is shown (bidi overrides and isolates).
 * Shown as escapes instead: `\n`, `\x1b`, `\u202e`. Stored rows keep the names as they are.
 */

// C0 (tab and newline included), DEL, C1, LRM/RLM, ALM, line/paragraph separators, bidi embeddings,
// overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
// The same without the newline: for whole outputs whose lines lrgate laid out itself.
const UNSAFE_KEEP_NEWLINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0)
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
}

/** Escapes a leading `::` of every line (after blanks): lrgate itself never prints a workflow command. */
function noWorkflowCommands(text: string): string {
  return text.replace(/^([ \t]*):(?=:)/gm, '$1\\x3a')
}

/**
 * One outside name, safe to print on one line of a terminal or CI log.
 *
 * @example inert('lr-1e-4\n::error title=x::pwned') // 'lr-1e-4\\n::error title=x::pwned' (one line)
 */
export function inert(name: string): string {
  return noWorkflowCommands(name.replace(UNSAFE, escapeChar))
}

/**
 * A whole output (tables, messages) about to be written: control characters other than the newlines
 * lrgate laid out are escaped, and no line starts with `::`. The last line of defence behind
 * `inert` at the places that print names.
 */
export function safeLines(text: string): string {
  return noWorkflowCommands(text.replace(UNSAFE_KEEP_NEWLINES, escapeChar))
}

/** JSON text (already valid) with the characters JSON.stringify leaves raw (DEL, C1, U+2028/2029, bidi) as \u escapes. */
export function safeJson(json: string): string {
  // JSON.stringify already escapes C0 inside strings; the newlines outside them are its layout.
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const HTML: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/**
 * An outside name inside Markdown (`--markdown`, `$GITHUB_STEP_SUMMARY`): HTML escaped (no tag,
 * image or script gets through), Markdown punctuation backslash-escaped (no link, emphasis or table
 * cell break), control characters shown as escapes.
 *
 * @example markdownText('<img src=x onerror=alert(1)>') // '&lt;img src=x onerror=alert\\(1\\)&gt;'
 */
export function markdownText(name: string): string {
  return inert(name)
    .replace(/[\\`*_[\]()!|~#]/g, (c) => `\\${c}`)
    .replace(/[&<>"']/g, (c) => HTML[c])
}
