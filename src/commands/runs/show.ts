import {Args} from '@oclif/core'

import {LrgateCommand} from '../../cli/base-command.js'
import {readDbFromFlags} from '../../cli/context.js'
import {storedRangeTest} from '../../find-lr/from-store.js'
import type {FindLrPlan} from '../../find-lr/plan.js'
import {lrList, suggestionTable} from '../../report/find-lr-report.js'
import {storedGateReport} from '../../gate/stored-report.js'
import {curveTable, runCurves} from '../../report/curves.js'
import {gateTable, runTables} from '../../report/table.js'
import {readRun} from '../../store/runs-read.js'
import {controllerEpisodes, controllerResult} from '../../store/controller-runs.js'
import {controllerRunLines} from '../../report/controller-run.js'
import {scheduledValueLines} from '../../report/trajectory.js'
import {inert} from '../../util/inert.js'
import {runTrainerNotes} from '../../store/trainer-notes.js'

export default class RunsShow extends LrgateCommand<typeof RunsShow> {
  static override summary = "Show one run: its settings, candidates, their evaluations and each candidate's stored gate rows (a controller run: its episodes)."

  static override examples = [
    {description: 'Run 3 as tables', command: '<%= config.bin %> <%= command.id %> 3'},
    {description: 'Run 3 as JSON', command: '<%= config.bin %> <%= command.id %> 3 --json'},
  ]

  static override args = {
    id: Args.integer({description: 'run id (see lrgate runs list)', required: true}),
  }

  public async run(): Promise<void> {
    const db = readDbFromFlags(this.flags)
    try {
      const run = readRun(db, this.args.id)
      // A find-lr run's candidate is its curve: show the suggestions it gives.
      const rangeTest = run.run.kind === 'find-lr' ? storedRangeTest(db, run.run.id, run.config as FindLrPlan) : null
      const notes = runTrainerNotes(db, run.run.id)
      // Each candidate's stored gate decision, from the one view check, the sweep summary and the report render.
      const gates = run.candidates.flatMap((c) => {
        const gate = c.gateId === null ? undefined : storedGateReport(db, c.gateId)
        return gate === undefined ? [] : [{candidateId: c.id, candidateLabel: c.label, ...gate}]
      })
      const curves = runCurves(db, run.run.id)
      // A controller run's content is its episodes (returns, lr trajectories) and the file it wrote.
      const controller = run.run.kind === 'controller' ? {episodes: controllerEpisodes(db, run.run.id), result: controllerResult(db, run.run.id)} : null
      if (this.flags.json) {
        const withGates = {...run, gates, curves: curves.map((c) => ({candidate: c.label, ...c.diagnosis})), ...(controller ? {episodes: controller.episodes, controller: controller.result === undefined ? null : {file: controller.result.file, ...JSON.parse(controller.result.controller)}} : {})}
        const body = rangeTest === null ? withGates : {...withGates, rangeTest: {suggestions: rangeTest.suggestions, anchor: rangeTest.anchor, candidates: rangeTest.candidates}}
        this.printJson(notes.length === 0 ? body : {...body, trainerNotes: notes})
        return
      }
      for (const line of runTables(run)) this.say(line)
      if (controller) for (const line of controllerRunLines(controller.episodes, controller.result)) this.say(line)
      else if (run.run.kind !== 'find-lr') this.say(curveTable(curves))
      for (const line of scheduledValueLines(db, run.run.id)) this.say(line)
      for (const gate of gates) {
        this.say(`Gate #${gate.gateId}: ${inert(gate.candidateLabel)} against ${inert(gate.baseline.label)} (#${gate.baseline.id})`)
        this.say(gateTable(gate))
      }
      for (const note of notes) {
        for (const warning of note.warnings) this.say(`${note.label}: warning: ${warning}`)
        if (note.logTail !== null) this.say([`${note.label}: the trainer's last ${note.logTail.length} log lines:`, ...note.logTail.map((l) => `  | ${l}`)].join('\n'))
      }
      if (rangeTest !== null) {
        this.say(suggestionTable(rangeTest))
        if (rangeTest.candidates.length > 0) this.say(`Sweep list: lrgate sweep --lr ${lrList(rangeTest.candidates)}`)
      }
    } finally {
      db.close()
    }
  }
}
