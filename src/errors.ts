/**
 * An error the user can fix (bad flag, config, dataset line, outputs file, database).
 * The CLI prints its message as one sentence on stderr and exits 2; only the gate's verdict uses 1.
 *
 * @example throw new InputError('data/eval.jsonl:12: field "id": expected a string.')
 */
export class InputError extends Error {
  readonly exitCode = 2

  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'InputError'
  }
}

/** Formats a zod issue path such as ['sweep', 'lrs', 1] as `sweep.lrs[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out
}
