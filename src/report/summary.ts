import {appendFileSync} from 'node:fs'

/**
 * Appends Markdown to the GitHub Actions job summary when running under GitHub Actions
 * (GITHUB_ACTIONS=true and GITHUB_STEP_SUMMARY set). Returns the file written, or null.
 */
export function appendGithubStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const file = env.GITHUB_STEP_SUMMARY
  if (env.GITHUB_ACTIONS !== 'true' || file === undefined || file === '') return null
  appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n')
  return file
}
