import {Flags} from '@oclif/core'

import {LrgateCommand} from '../cli/base-command.js'
import {InputError} from '../errors.js'
import {onShutdown} from '../process/shutdown.js'
import {inert} from '../util/inert.js'

export default class Merge extends LrgateCommand<typeof Merge> {
  static override summary = 'Merge the databases of sweep shards (sweep --shard I/N --name NAME) into one.'

  static override description = `Copies runs, candidates, steps, evaluations, scores and gates into --into, remapping ids, in one transaction (a kill leaves the destination as it was). Shards with one sweep name and plan hash become one run with all candidates and one base evaluation; every candidate is gated again against the destination's baseline (gate.baseline: base, or the destination's promoted model) and the recommendation is computed over the whole grid. Merging a shard twice adds nothing. Refuses (exit 2, destination unchanged) shards of one name with different plans or data, base evaluations that differ by more than 1e-6 relative, unfinished runs and databases from a newer lrgate. Artifact folders stay where the shard rows point unless --copy-artifacts copies them. See docs/commands/merge.md.`

  static override strict = false

  static override usage = 'merge SHARD.db... --into DEST.db [--copy-artifacts DIR]'

  static override examples = [
    {description: 'Merge four shard databases, then gate as for a one-machine sweep', command: '<%= config.bin %> <%= command.id %> shard-*/lrgate.db --into .lrgate/lrgate.db && <%= config.bin %> check --candidate recommended --baseline base'},
    {description: 'Also copy each candidate\'s model folder next to the merged database', command: '<%= config.bin %> <%= command.id %> shard-0.db shard-1.db --into merged.db --copy-artifacts models/sweeps'},
  ]

  static override flags = {
    into: Flags.string({description: 'the destination database (created when missing)', required: true, helpValue: '<DEST.db>'}),
    'copy-artifacts': Flags.string({description: 'copy the merged candidates\' model folders under DIR/<sweep>/<shard>/ and point the rows there', helpValue: '<DIR>'}),
  }

  public async run(): Promise<void> {
    const sources = this.positional
    if (sources.length === 0) throw new InputError('give the shard databases to merge: lrgate merge SHARD.db… --into DEST.db')
    const {mergeShards} = await import('../sweep/merge-shards.js')
    // SIGINT/SIGTERM before the transaction: nothing is written; during it: the transaction completes.
    const shutdown = onShutdown({begin: (signal) => this.note(`${signal}: stopping; the destination is left as it was unless the merge had already committed.`)})
    try {
      const outcome = await mergeShards({
        sources, into: this.flags.into, copyArtifacts: this.flags['copy-artifacts'], cwd: process.cwd(),
        stopping: () => shutdown.signal !== null,
        log: (line) => this.note(line),
      })
      if (outcome.stopped) {
        this.note(`stopped by ${shutdown.signal}: nothing was merged into ${this.flags.into}.`)
        process.exitCode = shutdown.exitCode() ?? 1
        return
      }
      if (this.flags.json) {
        this.printJson({
          into: this.flags.into,
          sweeps: outcome.sweeps.map((s) => ({
            runId: s.runId, name: s.name, added: s.added, shards: s.shards, status: s.status, recommended: s.recommended,
            candidates: s.candidates.map((c) => ({label: c.label, lr: c.lr, status: c.status, evaluationId: c.evaluationId, verdict: c.verdict, gateId: c.gateId})),
          })),
          skipped: outcome.skipped,
        })
      } else {
        for (const s of outcome.sweeps) {
          const passing = s.candidates.filter((c) => c.verdict === 'pass').length
          this.say(`${inert(s.name)} (run ${s.runId}): +${s.added.reduce((n, a) => n + a.candidates, 0)} candidates from ${s.added.length} database(s); ${s.candidates.length} in all, ${passing} pass; ${s.status === 'completed' ? 'every shard is in' : `shards so far: ${s.shards.join(', ')}`}; recommended: ${s.recommended === null ? 'none' : inert(s.recommended)}`)
        }
        for (const k of outcome.skipped) this.say(`${k.source}: ${inert(k.name)}${k.shard ? ` (shard ${k.shard})` : ''} is already in ${this.flags.into}; skipped.`)
        if (outcome.sweeps.length === 0 && outcome.skipped.length === 0) this.say('nothing to merge: those databases hold no sweep runs.')
      }
      if (shutdown.signal !== null) process.exitCode = shutdown.exitCode() ?? 1
    } finally {
      shutdown.dispose()
    }
  }
}
