import {LrgateCommand} from '../../cli/base-command.js'
import {listDatasets} from '../../datasets/list.js'
import {datasetsTable} from '../../report/datasets.js'

export default class DatasetsList extends LrgateCommand<typeof DatasetsList> {
  static override summary = 'List the dataset versions under ./datasets and the shipped ones, with their cohorts.'

  static override description =
    'Each version is checked in full (manifest, file hashes, every line); a broken one is listed as INVALID with the reason. ' +
    'Reference a dataset as name@version: ./datasets/<name>/<version> is looked up first, then the shipped datasets.'

  static override examples = [
    {description: 'The datasets you can reference as name@version', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The same as a JSON array', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  public async run(): Promise<void> {
    const listings = await listDatasets()
    if (this.flags.json) {
      this.printJson({datasets: listings})
      return
    }
    if (listings.length === 0) {
      this.say('no datasets found under ./datasets or the shipped datasets')
      return
    }
    this.say(datasetsTable(listings))
    for (const d of listings.filter((l) => l.status === 'invalid')) this.note(`${d.ref} is INVALID: ${d.error}`)
  }
}
