import {InputError} from '../errors.js'

/** The placeholders of `sweep --trainer` (README "Your own trainer"), each replaced by a shell-quoted value. */
export const TRAINER_PLACEHOLDERS = ['lr', 'steps', 'warmup_steps', 'batch_size', 'seed', 'candidate', 'base', 'train', 'output_dir', 'config', 'resume_from'] as const
export type TrainerPlaceholder = (typeof TRAINER_PLACEHOLDERS)[number]

/** The placeholders of `eval.outputsCommand`. */
export const OUTPUTS_PLACEHOLDERS = ['model', 'dataset', 'outputs'] as const
export type OutputsPlaceholder = (typeof OUTPUTS_PLACEHOLDERS)[number]

/** The placeholders of `eval.serveCommand`. */
export const SERVE_PLACEHOLDERS = ['model', 'port'] as const

// `{name}` is a placeholder; `{{` and `}}` are literal braces (for a JSON snippet in the command).
const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * POSIX shell quoting: the value in single quotes, each `'` written as `'\''`. The shell passes it
 * on as one word, whatever it holds (spaces, `$`, `;`, newlines).
 *
 * @example shellQuote("it's") // 'it'\''s'
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** The placeholder names a template uses, in order of first use. */
export function placeholdersOf(template: string): string[] {
  const names: string[] = []
  for (const m of template.matchAll(TOKEN)) if (m[1] !== undefined && !names.includes(m[1])) names.push(m[1])
  return names
}

/**
 * Refuses a template with a placeholder outside `known` (an InputError naming `source` and the
 * placeholder), before anything runs.
 *
 * @example checkTemplate('python train.py --lr {lr}', TRAINER_PLACEHOLDERS, '--trainer')
 */
export function checkTemplate(template: string, known: readonly string[], source: string): void {
  if (template.trim() === '') throw new InputError(`${source}: the command template is empty; give the command that runs your trainer.`)
  const unknown = placeholdersOf(template).find((name) => !known.includes(name))
  if (unknown !== undefined) {
    throw new InputError(`${source}: unknown placeholder {${unknown}}; the placeholders are ${known.map((k) => `{${k}}`).join(' ')} (write {{ and }} for literal braces).`)
  }
}

/**
 * The command line of a template: every placeholder replaced by its shell-quoted value (an empty
 * value becomes ''), `{{`/`}}` by a brace. Run it with `sh -c`.
 *
 * @example renderTemplate('train --lr {lr}', {lr: '0.001'}) // "train --lr '0.001'"
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(TOKEN, (token, name: string | undefined) => {
    if (name === undefined) return token[0]
    const value = values[name]
    if (value === undefined) throw new Error(`renderTemplate: no value for {${name}}`)
    return shellQuote(value)
  })
}
