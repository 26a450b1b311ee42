/** Environment variable names whose values are treated as secrets (README "Your own trainer"). */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i

/** What a secret value is replaced with in every stored or printed line. */
export const MASK = '***'

// Shorter values would mask ordinary text ("1", "yes") everywhere they occur.
const MIN_LENGTH = 4

/** The values of secret-looking variables in `env`, longest first (so a value containing another is masked whole). */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined && value.length >= MIN_LENGTH)
    .map(([, value]) => value!)
  return [...new Set(values)].sort((a, b) => b.length - a.length)
}

/**
 * A function that replaces every secret value of `env` in a text with `***`. Apply it to each
 * trainer line before it is stored, written to trainer.log, or shown.
 *
 * @example makeMasker({HF_TOKEN: 'hf_abc123'})('token=hf_abc123') // 'token=***'
 */
export function makeMasker(env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  const values = secretValues(env)
  if (values.length === 0) return (text) => text
  return (text) => {
    let out = text
    for (const value of values) if (out.includes(value)) out = out.replaceAll(value, MASK)
    return out
  }
}
