import {appendFileSync, statSync} from 'node:fs'

import {STEP_SUMMARY_LIMIT} from './step-summary.js'

/**
 * Appends Markdown to the GitHub Actions job summary when running under GitHub Actions
 * (GITHUB_ACTIONS=true and GITHUB_STEP_SUMMARY set). `render` gets the bytes left under GitHub's
 * 1 MiB step limit (minus what earlier commands of the step wrote, and a 4 KiB margin) and returns
 * the Markdown; a plain string is appended as it is. Returns the file written, or null.
 */
export function appendGithubStepSummary(render: string | ((budget: number) => string), env: NodeJS.ProcessEnv = process.env): string | null {
  const file = env.GITHUB_STEP_SUMMARY
  if (env.GITHUB_ACTIONS !== 'true' || file === undefined || file === '') return null
  let existing = 0
  try {
    existing = statSync(file).size
  } catch {
    // not written yet in this step
  }
  const markdown = typeof render === 'string' ? render : render(Math.max(0, STEP_SUMMARY_LIMIT - existing - 4096))
  appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n')
  return file
}
