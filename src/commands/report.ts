import {plural} from '../util/plural.js'
import {Args, Flags} from '@oclif/core'
import {resolve} from 'node:path'

import {LrgateCommand} from '../cli/base-command.js'
import {readDbFromFlags} from '../cli/context.js'
import {checkOutputFile, writeOutputFile} from '../util/output-file.js'

export default class Report extends LrgateCommand<typeof Report> {
  static override summary = 'Write one self-contained HTML report of a run, with charts.'

  static override description = `The report holds the learning-rate schedule and the training and validation loss of every candidate, per-cohort bars with confidence-interval whiskers for each metric (base model vs candidates), the verdict table and every candidate's gate results. Charts are drawn with vega-lite and inlined as SVG: the file needs no script and no network to view, so it can be attached to a CI run or mailed.`

  static override examples = [
    {description: 'Report the latest sweep into lrgate-report-<id>.html', command: '<%= config.bin %> <%= command.id %> latest'},
    {description: 'Report run 3 into a chosen file and print {"file", "charts"}', command: '<%= config.bin %> <%= command.id %> 3 --out reports/run-3.html --json'},
  ]

  static override args = {
    run: Args.string({description: 'run id (see lrgate runs list) or "latest" (the latest sweep)', default: 'latest'}),
  }

  static override flags = {
    out: Flags.string({description: 'HTML file to write [default: lrgate-report-<run id>.html in the working directory]', helpValue: '<file>'}),
  }

  public async run(): Promise<void> {
    // Loaded here, not at the top: oclif may import every command to list them, and vega is not small.
    const {loadRunReportData, resolveReportRun} = await import('../report/run-report-data.js')
    const {renderRunReport} = await import('../report/html/index.js')
    if (this.flags.out !== undefined) checkOutputFile(this.flags.out, '--out')
    const db = readDbFromFlags(this.flags)
    let data
    try {
      data = loadRunReportData(db, resolveReportRun(db, this.args.run))
    } finally {
      db.close()
    }
    const report = await renderRunReport(data)
    const file = resolve(this.flags.out ?? `lrgate-report-${data.run.id}.html`)
    writeOutputFile(file, report.html, '--out')
    if (this.flags.json) this.printJson({file, charts: report.charts})
    else this.say(`wrote ${file}: run #${data.run.id}, ${plural(data.candidates.length, 'candidate')}, ${plural(report.charts, 'chart')}`)
  }
}
