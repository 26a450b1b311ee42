/** Where `lrgate init` writes the workflow, relative to the project folder. */
export const WORKFLOW_FILE = '.github/workflows/lrgate.yml'

/**
 * The artifact that carries lrgate's folder (the database, and the promoted model's folder that
 * `lrgate runs prune` keeps) from one retrain to the next.
 */
const STATE_ARTIFACT = 'lrgate-state'

/** How the workflow gets lrgate: a global install from a tarball or git URL, or the project's npm dependencies. */
export type LrgateInstall = {kind: 'global'; source: string} | {kind: 'dependency'}

// GitHub expressions, kept out of the template literal so `${{` needs no escaping below.
const gh = (expression: string) => '${{ ' + expression + ' }}'

/** The steps every job of a written workflow starts with: checkout, Node 20, OpenBLAS and lrgate. */
export function setupSteps(install: LrgateInstall): string {
  const lines = ['      - uses: actions/checkout@v4', '      - uses: actions/setup-node@v4', '        with:', '          node-version: 20']
  if (install.kind === 'dependency') lines.push('          cache: npm')
  lines.push(
    // The step's name says it installs lrgate: the weekly-workflow test provides lrgate itself for this one step.
    '      - name: Install OpenBLAS (lrgate\'s native CPU kernels) and lrgate',
    '        run: |',
    '          sudo apt-get update',
    '          sudo apt-get install -y libopenblas0-pthread',
    install.kind === 'global'
      ? `          # npm compiles better-sqlite3 and lrgate's native kernels here (g++ and make come with the runner).\n          npm install -g ${shellWord(install.source)}`
      : '          npm ci',
  )
  return lines.join('\n')
}

/** A word for bash, single-quoted unless it is plain. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

// Why an artifact and not actions/cache is explained to the user in the YAML comment.
const RESTORE_STEP = `      # The database (every evaluation, gate decision and promotion) lives in the artifact
      # "${STATE_ARTIFACT}" of the newest finished retrain run, with the promoted model's folder. An artifact, not actions/cache: GitHub evicts
      # caches unused for 7 days (exactly a weekly job's gap) and never overwrites a cache key, while
      # artifacts are kept for their retention-days (90 below). The gh CLI comes with GitHub's runners.
      - name: Restore the lrgate database
        id: restore
        env:
          GH_TOKEN: ${gh('github.token')}
          GH_REPO: ${gh('github.repository')}
        run: |
          mkdir -p "$(dirname "$LRGATE_DB")"
          runs=$(gh run list --workflow lrgate.yml --limit 50 --json databaseId,event,status \\
            --jq '.[] | select(.status == "completed" and (.event == "schedule" or .event == "workflow_dispatch")) | .databaseId')
          for id in $runs; do
            # Any gh failure stops the job (bash -e): better no run than one on an older database.
            artifact=$(gh api "repos/$GH_REPO/actions/runs/$id/artifacts" \
              --jq '.artifacts[] | select(.name == "${STATE_ARTIFACT}" and (.expired | not)) | .id')
            if [ -n "$artifact" ]; then
              gh run download "$id" --name ${STATE_ARTIFACT} --dir "$(dirname "$LRGATE_DB")"
              echo "restored the lrgate database (and the promoted model) of run $id"
              exit 0
            fi
          done
          echo "::notice::no earlier retrain saved a database: starting with an empty one"`

/**
 * The GitHub Actions workflow `lrgate init` writes: a `gate` job on pull requests (`lrgate check
 * --junit`, whose exit code gates the PR) and a weekly `retrain` job (sweep on the new data version,
 * check against the promoted model, promote on pass), with the database carried between runs.
 */
export function workflowYaml(install: LrgateInstall = {kind: 'dependency'}): string {
  const lrgate = install.kind === 'global' ? 'lrgate' : 'npx lrgate'
  const SETUP_STEPS = setupSteps(install)
  return `# lrgate in CI, written by "lrgate init". Two jobs:
#   gate     on every pull request: evaluate the PR's candidate and gate it against the promoted
#            model. "lrgate check" exits 1 on a regression (2 on an error), which fails the job.
#   retrain  weekly (and by hand from the Actions tab): sweep on the new data version, gate the
#            recommended candidate against the promoted model, promote it only when the gate passes.
# ${install.kind === 'global' ? `Both jobs install lrgate with "npm install -g ${install.source}" (lrgate init --install-from);\n# this repository need not be an npm project.` : 'lrgate is a dependency in this repository\'s package.json, so "npm ci" installs it.'}
# lrgate.config.yaml holds the datasets, learning rates and gate rules both jobs use.
name: lrgate

on:
  pull_request:
  schedule:
    # Mondays 04:17 UTC (off the full hour, when GitHub delays scheduled jobs most).
    - cron: '17 4 * * 1'
  workflow_dispatch:
    inputs:
      train:
        description: 'Training data version for the retrain (name@version or folder); empty: the repository variable LRGATE_TRAIN_DATA, else datasets.train of lrgate.config.yaml'
        required: false
        type: string

permissions:
  contents: read
  # gh run list / gh run download read the database artifact of earlier runs.
  actions: read

env:
  # lrgate's default database path, spelled out because the jobs carry the file between runs.
  LRGATE_DB: .lrgate/lrgate.db

jobs:
  gate:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    env:
      CANDIDATE: pr-${gh('github.event.pull_request.number')}
      # The PR's candidate: the outputs of the model it proposes on the eval dataset, one JSON line
      # per record: {"id", "output", "nll"?, "tokens"?}. Make it in a step before "Evaluate", or
      # evaluate a model folder with --model <dir> instead of --outputs.
      CANDIDATE_OUTPUTS: lrgate-outputs.jsonl
    steps:
${SETUP_STEPS}
${RESTORE_STEP}
      - name: Evaluate this pull request's candidate
        run: ${lrgate} eval --outputs "$CANDIDATE_OUTPUTS" --label "$CANDIDATE"
      # The exit code is the verdict: 0 ship, 1 regression, 2 error. The Markdown summary goes to
      # the job summary page by itself.
      - name: Gate against the promoted model
        run: ${lrgate} check --candidate "$CANDIDATE" --baseline promoted --junit lrgate-junit.xml
      - name: Publish the JUnit report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: lrgate-junit
          path: lrgate-junit.xml
          if-no-files-found: ignore

  retrain:
    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    timeout-minutes: 180
    # One retrain at a time: each one continues from the database the previous one saved.
    concurrency:
      group: lrgate-retrain
      cancel-in-progress: false
    env:
      TRAIN_DATA: ${gh('inputs.train || vars.LRGATE_TRAIN_DATA')}
    steps:
${SETUP_STEPS}
${RESTORE_STEP}
      # Gated against, and recommending only what improves on, the model it would replace (the base
      # model while nothing is promoted yet).
      - name: Sweep on the new data version
        id: sweep
        run: ${lrgate} sweep \${TRAIN_DATA:+--train "$TRAIN_DATA"} --name "weekly-$(date -u +%F)" --baseline promoted
      # The first retrain has nothing promoted yet: it is gated against the sweep's base model.
      - name: Gate the recommended candidate against the promoted model
        id: check
        run: |
          baseline=promoted
          promotions=$(${lrgate} runs list --json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).promotions.length')
          if [ "$promotions" = 0 ]; then
            echo "::notice::nothing promoted yet: gating against the sweep's base model"
            baseline=base
          fi
          ${lrgate} check --candidate recommended --baseline "$baseline" --junit lrgate-junit.xml
      # Only when the gate passed: after a regression (exit 1) or an error (exit 2) the steps
      # above failed, this one is skipped, and the promoted model stays what it was.
      - name: Promote the recommended candidate
        id: promote
        if: steps.check.outcome == 'success'
        run: |
          ${lrgate} baseline promote recommended --note "weekly retrain, run ${gh('github.run_id')}" --json > promotion.json
          cat promotion.json
          echo "model_dir=$(node -p 'JSON.parse(require("fs").readFileSync("promotion.json", "utf8")).modelDir ?? ""')" >> "$GITHUB_OUTPUT"
      - name: HTML report of the sweep
        if: always() && steps.sweep.outcome == 'success'
        run: ${lrgate} report latest --out lrgate-report.html
      - name: Publish the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: lrgate-retrain-reports
          path: |
            lrgate-junit.xml
            lrgate-report.html
          if-no-files-found: ignore
      - name: Publish the promoted model
        if: steps.promote.outcome == 'success' && steps.promote.outputs.model_dir != ''
        uses: actions/upload-artifact@v4
        with:
          name: lrgate-promoted-model
          path: ${gh('steps.promote.outputs.model_dir')}
          retention-days: 90
      # Saved whatever the verdict (a failed gate is history too), but only after a successful
      # restore, so a failed download can never replace the history with an empty database. First
      # "runs prune" deletes every model but the promoted and the recommended one: the next run
      # re-scores the promoted model when the eval dataset gets a new version.
      - name: Keep only the models the next run needs
        if: always() && steps.restore.outcome == 'success'
        run: ${lrgate} runs prune
      - name: Save the lrgate database and the promoted model for the next run
        if: always() && steps.restore.outcome == 'success'
        uses: actions/upload-artifact@v4
        with:
          name: ${STATE_ARTIFACT}
          path: .lrgate/
          # .lrgate is a hidden folder, which upload-artifact leaves out unless told.
          include-hidden-files: true
          retention-days: 90
          if-no-files-found: ignore
`
}
