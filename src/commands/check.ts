import {Flags} from '@oclif/core'

import {LrgateCommand} from '../cli/base-command.js'
import {inert} from '../util/inert.js'
import {checkOutputFile, writeOutputFile} from '../util/output-file.js'
import {configFromFlags, existingDbFromFlags, readDbFromFlags} from '../cli/context.js'
import {parseConfidence} from '../gate/options.js'
import {baselineOnDataset} from '../gate/baseline-policy.js'
import {resolveEvaluation} from '../gate/reference.js'
import {checkWithoutRecommendation, sweepWithoutRecommendation} from '../gate/no-recommendation.js'
import {runCheck} from '../gate/run-check.js'
import type {GateView} from '../gate/types.js'
import {storedGateReport, unstoredGateReport, viewRows} from '../gate/stored-report.js'
import type {Config} from '../config/schema.js'
import {type Store, resolveDbPath} from '../store/db.js'
import {describeStorageFault, isWriteRefused} from '../store/storage-fault.js'
import {gateJunit} from '../report/junit.js'
import {gateMarkdown} from '../report/markdown.js'
import {gateStepSummary} from '../report/step-summary.js'
import {appendGithubStepSummary} from '../report/summary.js'
import {gateTable, gateVerdictLines} from '../report/table.js'

export default class Check extends LrgateCommand<typeof Check> {
  static override summary = 'Gate a candidate evaluation against a baseline: exit 0 pass, 1 regression, 2 error.'

  static override description = `Applies the gate rules of the config (gate.rules) to every matching cohort: the delta candidate − baseline on the records both evaluations share, with a seeded paired bootstrap CI. A rule fails only when its whole interval lies beyond its limit, so an A/A comparison passes and a real drop fails.

--candidate and --baseline take an evaluation id, a label (its latest evaluation), base or recommended (of the latest sweep), promoted (the latest "lrgate baseline promote"), or run:<id>:<label|base|recommended>.

Evaluations on different dataset hashes are refused unless --on-shared-records, with one exception: a baseline whose model folder is kept (a sweep candidate, the promoted model) is first evaluated on the candidate's dataset version and stored as <label>@<dataset>, then compared. The decision is stored; --junit, --markdown and --json write reports, and under GitHub Actions a summary is appended to $GITHUB_STEP_SUMMARY.`

  static override examples = [
    {description: 'Gate a PR\'s outputs against the promoted model, with a JUnit report for CI', command: '<%= config.bin %> <%= command.id %> --candidate pr-123 --baseline promoted --junit lrgate-junit.xml'},
    {description: 'The sweep\'s recommended learning rate against its base model', command: '<%= config.bin %> <%= command.id %> --candidate recommended --baseline base'},
    {description: 'Two evaluation ids, 99% intervals, machine-readable', command: '<%= config.bin %> <%= command.id %> --candidate 12 --baseline 7 --confidence 0.99 --json'},
  ]

  static override flags = {
    candidate: Flags.string({description: 'the evaluation to gate: id, label, base, recommended, promoted or run:<id>:<label>', required: true}),
    baseline: Flags.string({description: 'what it must not regress from [default: gate.baseline of the config, "base"]'}),
    confidence: Flags.string({description: 'confidence level of the intervals [default: gate.confidence, 0.95]'}),
    resamples: Flags.integer({description: 'paired bootstrap resamples [default: gate.resamples, 2000]', min: 100}),
    seed: Flags.integer({description: 'bootstrap seed [default: seed of the config]'}),
    'on-shared-records': Flags.boolean({description: 'compare on the record ids both share even when the dataset hashes differ'}),
    junit: Flags.string({description: 'write a JUnit XML report (one testcase per rule × cohort)', helpValue: '<file>'}),
    markdown: Flags.string({description: 'write a Markdown summary', helpValue: '<file>'}),
  }

  public async run(): Promise<void> {
    const {config, file} = configFromFlags(this.flags)
    // A report path that cannot be written is bad input: refused before anything is decided or stored.
    if (this.flags.junit !== undefined) checkOutputFile(this.flags.junit, '--junit')
    if (this.flags.markdown !== undefined) checkOutputFile(this.flags.markdown, '--markdown')
    const request = {
      candidate: this.flags.candidate,
      baseline: this.flags.baseline ?? config.gate.baseline,
      rules: config.gate.rules,
      confidence: this.flags.confidence === undefined ? config.gate.confidence : parseConfidence(this.flags.confidence),
      resamples: this.flags.resamples ?? config.gate.resamples,
      seed: this.flags.seed ?? config.seed,
      onSharedRecords: this.flags['on-shared-records'],
    }
    // A database the OS will not let us write (a read-only mount, a full disk) still gets its
    // verdict and exit code; only storing the decision is given up, and said.
    let notStored: string | null = null
    const refused = (error: unknown): boolean => {
      if (!isWriteRefused(error)) return false
      notStored = describeStorageFault((error as {cause?: unknown}).cause ?? error, resolveDbPath(this.flags.db))
      return true
    }
    let db: Store
    try {
      db = existingDbFromFlags(this.flags)
    } catch (error) {
      if (!refused(error)) throw error
      db = readDbFromFlags(this.flags)
    }
    let report: GateView
    try {
      const unrecommended = sweepWithoutRecommendation(db, request.candidate)
      if (unrecommended === undefined) {
        await this.reevaluateBaselineIfNeeded(db, request, config, file)
        const decided = runCheck(db, request, {onStoreError: refused})
        // Rendered from the stored decision, as the sweep summary, runs show and the report are; a
        // decision the store refused is rendered from the computed rows (same view, gateId null).
        report = decided.gateId === null ? unstoredGateReport(db, decided) : storedGateReport(db, decided.gateId)!
      } else {
        // Nothing may ship: a gate failure (exit 1) with the rows of the best completed candidate,
        // against the baseline as scored on the run's eval data (its base evaluation's dataset).
        if (unrecommended.baseEvaluationId !== null) {
          const probe = {candidate: String(unrecommended.baseEvaluationId), baseline: request.baseline, onSharedRecords: request.onSharedRecords}
          await this.reevaluateBaselineIfNeeded(db, probe, config, file)
          request.baseline = probe.baseline
        }
        const plain = checkWithoutRecommendation(db, unrecommended, request)
        report = {...plain, results: viewRows(plain.results), failures: []}
      }
    } finally {
      db.close()
    }

    const markdown = gateMarkdown(report)
    if (this.flags.junit !== undefined) writeOutputFile(this.flags.junit, gateJunit(report), '--junit')
    if (this.flags.markdown !== undefined) writeOutputFile(this.flags.markdown, markdown, '--markdown')
    const summaryFile = appendGithubStepSummary((budget) => gateStepSummary(report, budget, {markdown: this.flags.markdown, junit: this.flags.junit}))
    if (this.flags.json) {
      this.printJson(report)
    } else {
      this.say(gateTable(report))
      for (const line of gateVerdictLines(report)) this.say(line)
      if (summaryFile !== null) this.note(`summary appended to ${summaryFile}`)
    }
    if (notStored !== null) this.note(`lrgate: the decision was not stored: ${notStored}`)
    if (report.verdict === 'fail') process.exitCode = 1
  }

  /**
   * A baseline scored on another dataset version than the candidate (a promoted model after the
   * eval data moved on) is re-evaluated on the candidate's version from its kept model directory.
   */
  private async reevaluateBaselineIfNeeded(db: Store, request: {candidate: string; baseline: string; onSharedRecords: boolean}, config: Config, file: string | null): Promise<void> {
    if (request.onSharedRecords) return
    const candidate = resolveEvaluation(db, request.candidate, '--candidate')
    const baseline = resolveEvaluation(db, request.baseline, '--baseline')
    const policy = baselineOnDataset(db, baseline, candidate)
    // 'mismatch' falls through: the gate refuses different dataset hashes with its own sentence.
    if (policy.kind === 'stored') request.baseline = String(policy.row.id)
    if (policy.kind !== 'reevaluate') return
    this.note(`the baseline (#${baseline.id}, ${inert(baseline.label)}) was scored on ${baseline.datasetRef}; scoring its model on ${candidate.datasetRef} …`)
    const {evaluationOnDatasetOf} = await import('../eval/reevaluate.js')
    const again = await evaluationOnDatasetOf(db, baseline, candidate, {config, configFile: file, cwd: process.cwd(), backend: config.backend})
    request.baseline = String(again.id)
  }
}
