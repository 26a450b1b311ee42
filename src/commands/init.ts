import {Flags} from '@oclif/core'

import {LrgateCommand} from '../cli/base-command.js'
import {type CiEngine, initCi} from '../init/ci.js'
import {initProject, NEXT_STEPS} from '../init/write.js'

export default class Init extends LrgateCommand<typeof Init> {
  static override summary = 'Write a starter lrgate.config.yaml and a GitHub Actions workflow, ready to commit.'

  static override description = `lrgate.config.yaml holds every default with a comment explaining each key. .github/workflows/lrgate.yml has two jobs: "gate" runs "lrgate check --junit" on every pull request (its exit code gates the PR), and "retrain" runs weekly (and by hand): a sweep on the new data version, a check of the recommended candidate against the promoted model, and a promotion only when that check passes. The database and the promoted model's folder are carried between runs as a workflow artifact.

lrgate is not on the npm registry: --install-from names the tarball (npm pack) or git URL the workflow installs it from with "npm install -g"; without it the project's package.json must list lrgate.

Existing files are never overwritten without --force.`

  static override examples = [
    {description: 'Scaffold the current repository; CI installs lrgate from a tarball committed in it', command: '<%= config.bin %> <%= command.id %> --install-from vendor/lrgate-0.1.0.tgz'},
    {description: 'CI installs lrgate from a git repository', command: '<%= config.bin %> <%= command.id %> --install-from git+https://github.com/you/lrgate.git'},
    {description: 'The repository is an npm project with lrgate in its devDependencies ("npm ci" installs it)', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'A GitHub Actions workflow that runs the sweep as 4 matrix shards and merges them', command: '<%= config.bin %> <%= command.id %> --ci github-matrix --shards 4 --install-from vendor/lrgate-0.1.0.tgz'},
    {description: 'A Kubernetes Indexed Job (and its merge Job) for 8 shards', command: '<%= config.bin %> <%= command.id %> --ci kubernetes --shards 8'},
    {description: 'A Slurm sbatch --array script', command: '<%= config.bin %> <%= command.id %> --ci slurm'},
    {description: 'Scaffold another folder, replacing files written before', command: '<%= config.bin %> <%= command.id %> --dir ../my-model --force'},
  ]

  static override flags = {
    dir: Flags.string({description: 'project folder to write into [default: the working directory]', helpValue: '<path>'}),
    force: Flags.boolean({description: 'overwrite lrgate.config.yaml and the workflow when they exist'}),
    ci: Flags.string({
      description: 'write a template that runs one sweep as shards on an engine you have, then merges them (docs/init.md): a GitHub Actions matrix, a Kubernetes Indexed Job, or a Slurm job array; instead of the starter config and weekly workflow',
      options: ['github-matrix', 'kubernetes', 'slurm'],
    }),
    shards: Flags.integer({description: 'with --ci: how many shards (matrix jobs, Job completions, array tasks) [default: 4]', dependsOn: ['ci']}),
    'install-from': Flags.string({
      description: 'where CI installs lrgate from with "npm install -g": a tarball made by "npm pack" (a path inside the project, or a URL) or a git URL [default: the project\'s package.json, which must list lrgate]',
      helpValue: '<tarball|url>',
    }),
  }

  public async run(): Promise<void> {
    if (this.flags.ci !== undefined) {
      const engine = this.flags.ci as CiEngine
      const written = initCi({dir: this.flags.dir ?? process.cwd(), engine, shards: this.flags.shards ?? 4, force: this.flags.force, installFrom: this.flags['install-from']})
      if (this.flags.json) this.printJson(written)
      else {
        for (const file of written.written) this.say(`wrote ${file}`)
        this.say(`Next: read docs/init.md ("Sharded sweeps"): every shard needs the same config, data and base model; lrgate merge joins the shard databases.`)
      }
      return
    }
    const result = initProject({dir: this.flags.dir ?? process.cwd(), force: this.flags.force, installFrom: this.flags['install-from']})
    if (this.flags.json) {
      this.printJson(result)
      return
    }
    for (const file of result.written) this.say(`wrote ${file}`)
    this.say('')
    this.say('Next steps:')
    for (const [i, step] of NEXT_STEPS.entries()) this.say(`  ${i + 1}. ${step}`)
  }
}
