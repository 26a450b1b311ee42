import {Document, isMap, isScalar, isSeq, type Node, type Scalar} from 'yaml'

import type {EvaluatorSpec, GateRule} from '../config/eval-schema.js'
import {DEFAULT_CONFIG} from '../config/defaults.js'
import type {Config} from '../config/schema.js'
import {evaluatorComment, KEY_COMMENTS, ruleComment} from './config-comments.js'

const HEADER = [
  'lrgate configuration, written by "lrgate init".',
  'Every value below is the default: change one to override it, delete it to follow the default.',
  'Objects merge with the defaults key by key; lists and sweep.schedule replace the default whole.',
  'lrgate finds this file in the working directory (or take --config <file>).',
]

/** Comment width: lines stay readable in a terminal and in a code review. */
const WIDTH = 98

/**
 * The starter config: `config` (the defaults unless given) as YAML with a comment above every key,
 * learning rates in exponent form, lists of scalars and each evaluator and rule on one line.
 * Throws when a key has no comment in KEY_COMMENTS (a new default must be documented).
 *
 * @example writeFileSync('lrgate.config.yaml', starterConfigYaml())
 */
export function starterConfigYaml(config: Config = DEFAULT_CONFIG): string {
  const doc = new Document(config)
  doc.commentBefore = HEADER.map((l) => ` ${l}`).join('\n')
  annotate(doc.contents as Node, [])
  return doc.toString({lineWidth: 0})
}

function annotate(node: Node, path: string[]): void {
  if (isMap(node)) {
    for (const [i, pair] of node.items.entries()) {
      const key = pair.key as Scalar
      const here = [...path, String(key.value)]
      const comment = KEY_COMMENTS[here.join('.')]
      if (comment === undefined) throw new Error(`starter config: no comment for key "${here.join('.')}" in src/init/config-comments.ts`)
      key.commentBefore = wrap(comment)
      // A blank line before each top-level section.
      if (path.length === 0 && i > 0) key.spaceBefore = true
      annotate(pair.value as Node, here)
    }
  } else if (isSeq(node)) {
    const joined = path.join('.')
    for (const item of node.items as Node[]) {
      if (isMap(item)) item.flow = true
      if (joined === 'eval.evaluators') item.commentBefore = wrap(evaluatorComment(item.toJSON() as EvaluatorSpec))
      else if (joined === 'gate.rules') item.commentBefore = wrap(ruleComment(item.toJSON() as GateRule))
      else annotate(item, path)
    }
    // Plain values (learning rates, stop strings) read best on one line.
    if ((node.items as Node[]).every((item) => isScalar(item))) node.flow = true
  } else if (isScalar(node)) {
    if (typeof node.value === 'number' && node.value !== 0 && Math.abs(node.value) <= 1e-3) node.format = 'EXP'
    // "\n" written as a block scalar is easy to misread; a quoted escape is not.
    if (typeof node.value === 'string' && /[\n\t]/.test(node.value)) node.type = 'QUOTE_DOUBLE'
  }
}

/** A comment as lines of at most WIDTH characters, each starting with a space after the `#`. */
function wrap(text: string): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > WIDTH) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  lines.push(line)
  return lines.map((l) => ` ${l}`).join('\n')
}
