import {Args, Flags} from '@oclif/core'

import {LrgateCommand} from '../../cli/base-command.js'
import {createDataset} from '../../datasets/create.js'
import {displayPath} from '../../datasets/resolve.js'
import {inert} from '../../util/inert.js'
import {hint} from '../../util/invocation.js'
import {plural} from '../../util/plural.js'

export default class DatasetsCreate extends LrgateCommand<typeof DatasetsCreate> {
  static override summary = 'Turn a JSONL or CSV file into a versioned dataset folder (records.jsonl + manifest.json with sha256).'

  static override description = `Writes <out>/<name>/<version>/ (default ./datasets/<name>/<version>, which lrgate finds as name@version): records.jsonl with one record per line and manifest.json with every cohort (its role from its name: target:… target, ood:… out-of-domain, anything else other) and the file's sha256. Each row becomes a record: its id (--id-column, default "id"; absent from the file: <name>-<line>), its cohort (--cohort-column, default "cohort", or --cohort with a name or a rule of fields such as "ood:{topic}"), the fields input, reference, context and text, and every other column in meta. A record needs input and reference, or text. A bad row exits 2 naming the file, line and field, and nothing is written; an existing version is never overwritten.`

  static override examples = [
    {description: 'A JSONL file whose records carry id and cohort', command: '<%= config.bin %> <%= command.id %> support.jsonl --name support-eval --version 1'},
    {description: 'A CSV export: cohort from a column, ids from another', command: '<%= config.bin %> <%= command.id %> tickets.csv --name tickets --version 2024-06 --cohort-column segment --id-column ticket_id'},
    {description: 'Every record in one target cohort', command: '<%= config.bin %> <%= command.id %> faq.jsonl --name faq --version 1 --cohort target:faq'},
  ]

  static override args = {
    file: Args.string({description: 'a .jsonl (one JSON object per line) or .csv file (a header row)', required: true}),
  }

  static override flags = {
    name: Flags.string({description: 'the dataset name (letters, digits, ".", "_", "-")', required: true}),
    version: Flags.string({description: 'the version (a new one: versions are immutable)', required: true}),
    'cohort-column': Flags.string({description: 'the field holding each record\'s cohort [default: cohort]', exclusive: ['cohort']}),
    cohort: Flags.string({description: 'every record\'s cohort: a name ("target:faq") or a rule of fields ("ood:{topic}")'}),
    'id-column': Flags.string({description: 'the field holding each record\'s id [default: id; absent: <name>-<line>]'}),
    out: Flags.string({description: 'the folder to write <name>/<version> under', default: 'datasets'}),
    description: Flags.string({description: 'the manifest\'s description'}),
    license: Flags.string({description: 'the manifest\'s license of the data'}),
    source: Flags.string({description: 'where the data comes from [default: the file name]'}),
  }

  public async run(): Promise<void> {
    const {flags} = this
    const created = await createDataset({
      file: this.args.file, name: flags.name, version: flags.version, cohortColumn: flags['cohort-column'], cohortRule: flags.cohort, idColumn: flags['id-column'],
      out: flags.out, description: flags.description, license: flags.license, source: flags.source, cwd: process.cwd(),
    })
    if (flags.json) {
      this.printJson(created)
      return
    }
    const cohorts = Object.entries(created.cohorts).map(([c, {role, records}]) => `${inert(c)} (${role}, ${records})`)
    this.say(`wrote ${displayPath(created.dir)}: ${plural(created.records, 'record')} in ${plural(cohorts.length, 'cohort')}: ${cohorts.join(', ')}; hash ${created.hash.slice(0, 12)}`)
    this.say(`Use it as ${inert(created.ref)}${flags.out === 'datasets' ? '' : ` (or by its path)`}; check it with: ${hint(`datasets verify ${displayPath(created.dir)}`)}`)
  }
}
