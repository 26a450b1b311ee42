import {Command, Errors, Flags, Interfaces} from '@oclif/core'

import {InputError} from '../errors.js'
import {resolveDbPath} from '../store/db.js'
import {describeStorageFault} from '../store/storage-fault.js'
import {safeJson, safeLines} from '../util/inert.js'
import {setTableWidth} from '../report/table-width.js'
import {flagParseMessage} from './parse-error.js'

/** The version of every `--json` shape (docs/json.md). */
export const JSON_SCHEMA_VERSION = 1

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof LrgateCommand)['baseFlags'] & T['flags']>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * The base of every lrgate command: the global flags of DESIGN.md and one error convention.
 * Input errors exit 2 with one sentence on stderr (a stack trace only with --debug).
 */
export abstract class LrgateCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    db: Flags.string({
      description: 'SQLite database file [default: .lrgate/lrgate.db under the working directory]',
      env: 'LRGATE_DB',
      helpGroup: 'GLOBAL',
    }),
    config: Flags.string({
      description: 'config file [default: lrgate.config.yaml, .yml or .json if present]',
      helpGroup: 'GLOBAL',
    }),
    json: Flags.boolean({description: 'print a machine-readable result on stdout and nothing else', helpGroup: 'GLOBAL'}),
    debug: Flags.boolean({description: 'print stack traces of errors', helpGroup: 'GLOBAL'}),
    wide: Flags.boolean({description: 'tables as wide as their content [default: no wider than the terminal, 120 columns without one]', helpGroup: 'GLOBAL'}),
  }

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  /** Every positional argument as given (what a command with `strict = false` takes, e.g. merge's SHARD.db …). */
  protected positional: string[] = []

  public override async init(): Promise<void> {
    await super.init()
    const ctor = this.ctor as typeof LrgateCommand & T
    const {args, argv, flags} = await this.parse({
      args: ctor.args,
      baseFlags: (super.ctor as typeof LrgateCommand).baseFlags,
      flags: ctor.flags,
      strict: ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    if (this.flags.wide) setTableWidth(null)
    this.positional = argv.map(String)
  }

  /** Writes a line to stdout unless --json asked for machine output only. */
  protected say(line = ''): void {
    if (!this.flags?.json) process.stdout.write(safeLines(line) + '\n')
  }

  /** Writes progress and notes to stderr, which CI logs keep and --json never pollutes. */
  protected note(line: string): void {
    process.stderr.write(safeLines(line) + '\n')
  }

  /**
   * Prints the command's JSON result. Every result is an object whose first key is `schemaVersion`
   * (JSON_SCHEMA_VERSION; docs/json.md gives each command's shape): it changes when a field is
   * removed or changes meaning, never for an added field.
   */
  protected printJson(value: object): void {
    const body = Array.isArray(value) ? {items: value} : value
    process.stdout.write(safeJson(JSON.stringify({schemaVersion: JSON_SCHEMA_VERSION, ...body}, null, 2)) + '\n')
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    if (err instanceof Errors.ExitError) throw err
    const debug = this.flags?.debug ?? process.argv.includes('--debug')
    if (err instanceof InputError) {
      process.stderr.write(`lrgate: ${safeLines(err.message)}\n`)
      if (debug && err.stack) process.stderr.write(err.stack + '\n')
      this.exit(2)
    }

    // oclif's own parse errors (unknown flag, missing argument) are usage errors: exit 2.
    if (err.oclif?.exit !== undefined || err instanceof Errors.CLIError) {
      // A flag value its parser refused (e.g. `--resamples abc`): "--resamples abc: expected an integer."
      const flagValue = flagParseMessage(err.message)
      if (flagValue !== null) {
        process.stderr.write(`lrgate: ${safeLines(flagValue)}\n`)
        if (debug && err.stack) process.stderr.write(err.stack + '\n')
        this.exit(2)
      }
      // oclif prefixes some parse errors with a header line; show the first line that says something.
      const lines = err.message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^The following errors? occurred:?$/.test(l))
      process.stderr.write(`lrgate: ${safeLines(lines[0] ?? err.message)}${lines.length > 1 ? ' (see --help)' : ''}\n`)
      if (debug && err.stack) process.stderr.write(err.stack + '\n')
      this.exit(2)
    }

    // A full disk, a read-only file or folder, a file that is not a database: say so, with the path.
    const fault = describeStorageFault(err, resolveDbPath(this.flags?.db))
    if (fault !== null) {
      process.stderr.write(`lrgate: ${safeLines(fault)}\n`)
      if (debug && err.stack) process.stderr.write(err.stack + '\n')
      this.exit(2)
    }
    const sqlite = (err as {code?: string}).code
    const hint = sqlite?.startsWith('SQLITE_BUSY') || sqlite?.startsWith('SQLITE_LOCKED') ? ` (${sqlite}; another process holds the database longer than the 30 s busy timeout)` : sqlite?.startsWith('SQLITE_') ? ` (${sqlite})` : ''
    process.stderr.write(`lrgate: ${safeLines(err.message)}${hint}${debug ? '' : ' — run again with --debug for the stack trace.'}\n`)
    if (debug && err.stack) process.stderr.write(err.stack + '\n')
    this.exit(2)
  }
}
