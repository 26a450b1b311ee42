/**
 * Secrets in the environment of child processes: they are passed on (a trainer may need its
 * HF_TOKEN), but never written to the database, to a log line or to a report. A variable is a secret
 * when its name contains KEY, TOKEN, SECRET, PASSWORD or CREDENTIAL (any case), as CI systems name them.
 */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i

/** Values shorter than this are not masked: "1" or "yes" would blank out ordinary text. */
const MIN_SECRET_LENGTH = 4

export const MASK = '***'

/** Whether an environment variable's name marks its value as a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/** The values of the secret variables of `env`, longest first (so a value containing another is masked whole). */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => isSecretName(name) && value !== undefined && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length)
}

/**
 * `text` with every secret value of `env` replaced by `***`: use it on anything that reaches a log,
 * the database or a report (a trainer's output, a command line, an error message).
 *
 * @example maskSecrets('curl -H "Bearer abc123"', {API_TOKEN: 'abc123'}) // 'curl -H "Bearer ***"'
 */
export function maskSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text
  for (const value of secretValues(env)) out = out.split(value).join(MASK)
  return out
}

/** An environment for display or storage: secret values replaced by `***`, the rest as they are. */
export function maskedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, isSecretName(k) ? MASK : maskSecrets(v!, env)]))
}
