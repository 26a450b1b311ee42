import {type LrgateInstall, setupSteps} from './workflow-template.js'

/** Where `lrgate init --ci github-matrix` writes its workflow. */
export const GITHUB_MATRIX_FILE = '.github/workflows/lrgate-sharded.yml'

// GitHub expressions, kept out of the template literal so `${{` needs no escaping below.
const gh = (expression: string) => '${{ ' + expression + ' }}'

/**
 * A GitHub Actions workflow that runs one sweep as `shards` matrix jobs (`lrgate sweep --shard
 * I/N --name NAME`, each with its own database, uploaded as an artifact) and a `merge` job that
 * downloads every shard's artifact, merges them (`lrgate merge --copy-artifacts`) and gates the
 * recommended candidate (`lrgate check`, exit 1 on a regression).
 */
export function githubMatrixYaml(install: LrgateInstall, shards: number): string {
  const lrgate = install.kind === 'global' ? 'lrgate' : 'npx lrgate'
  const indexes = Array.from({length: shards}, (_, i) => i).join(', ')
  return `# One lrgate sweep spread over ${shards} runners, written by "lrgate init --ci github-matrix".
#   shard  a matrix job per shard: "lrgate sweep --shard I/${shards}" runs the configurations whose
#          index mod ${shards} is I, into its own database (SQLite is never shared between runners),
#          uploaded as the artifact lrgate-shard-I with the shard's models.
#   merge  after every shard: "lrgate merge" makes one run of them (one base evaluation, every
#          candidate gated again, the recommendation over the whole grid), then "lrgate check"
#          gates the recommended candidate (exit 1 on a regression fails the job).
# Every shard needs the same lrgate.config.yaml, data and base model (the checkout gives them): merge
# refuses shards whose plans differ. Change the shard count here and in the matrix together.
name: lrgate sharded sweep

on:
  workflow_dispatch:

env:
  LRGATE_SHARDS: ${shards}
  # One name for every shard of this sweep (shards with one name and plan are one sweep).
  LRGATE_SWEEP_NAME: sweep-${gh('github.run_id')}

jobs:
  shard:
    runs-on: ubuntu-latest
    timeout-minutes: 360
    strategy:
      fail-fast: false
      matrix:
        shard: [${indexes}]
    steps:
${setupSteps(install)}
      - name: Sweep shard ${gh('matrix.shard')}
        run: ${lrgate} sweep --shard "${gh('matrix.shard')}/$LRGATE_SHARDS" --name "$LRGATE_SWEEP_NAME" --db shard/lrgate.db
      - name: Upload the shard's database and models
        uses: actions/upload-artifact@v4
        with:
          name: lrgate-shard-${gh('matrix.shard')}
          path: shard/
          retention-days: 7
          if-no-files-found: error

  merge:
    needs: shard
    runs-on: ubuntu-latest
    steps:
${setupSteps(install)}
      - name: Download every shard
        uses: actions/download-artifact@v4
        with:
          pattern: lrgate-shard-*
          path: shards
      # The models are copied next to the merged database (the shards' runners are gone).
      - name: Merge the shards
        run: ${lrgate} merge shards/*/lrgate.db --into .lrgate/lrgate.db --copy-artifacts .lrgate/models
      - name: Gate the recommended candidate
        run: ${lrgate} check --candidate recommended --baseline base --junit lrgate-junit.xml
      - name: HTML report of the sweep
        if: always()
        run: ${lrgate} report latest --out lrgate-report.html
      - name: Publish the merged database and the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: lrgate-merged
          path: |
            .lrgate/
            lrgate-junit.xml
            lrgate-report.html
          include-hidden-files: true
          if-no-files-found: ignore
`
}
