import {Flags} from '@oclif/core'

import {LrgateCommand} from '../cli/base-command.js'
import {configFromFlags} from '../cli/context.js'
import {BACKENDS} from '../config/schema.js'

export default class Serve extends LrgateCommand<typeof Serve> {
  static override summary = 'Serve an lrgate model folder over the OpenAI completions protocol.'

  static override description = `GET /v1/models lists the model; POST /v1/completions takes prompt (a string or a list), max_tokens, temperature, top_k, stop, seed, echo and logprobs, and answers with choices[].text, choices[].logprobs (tokens, token_logprobs, top_logprobs, text_offset) and usage. With echo, logprobs and max_tokens 0 it returns the log-probability of every prompt token, which is what "lrgate eval --endpoint" uses for perplexity. Concurrent requests are batched through the KV-cache generator. A malformed request gets a 4xx JSON error in OpenAI's error shape.

Prints its base URL on stdout once it accepts connections; stops on SIGINT or SIGTERM. Binds 127.0.0.1 unless --host says otherwise.`

  static override examples = [
    {
      description: 'Serve the shipped base model on port 8000',
      command: '<%= config.bin %> <%= command.id %> --model models/example-base --port 8000',
    },
    {
      description: 'Then evaluate it through the endpoint (in another shell)',
      command: '<%= config.bin %> eval --endpoint http://127.0.0.1:8000/v1 --label base-served',
    },
    {
      description: 'Require a bearer token read from an environment variable',
      command: 'SERVE_KEY=s3cret <%= config.bin %> <%= command.id %> --model models/example-base --api-key-env SERVE_KEY',
    },
  ]

  static override flags = {
    model: Flags.string({description: 'lrgate model folder to serve', helpValue: '<dir>', required: true}),
    port: Flags.integer({description: 'TCP port; 0 picks a free one', default: 8000, min: 0, max: 65535}),
    host: Flags.string({description: 'address to bind', default: '127.0.0.1'}),
    name: Flags.string({description: 'model id the server lists and accepts [default: the folder name]'}),
    'batch-size': Flags.integer({description: 'most sequences generated together', default: 64, min: 1}),
    'api-key-env': Flags.string({description: 'environment variable holding the key clients must send as a bearer token', helpValue: '<NAME>'}),
    backend: Flags.string({description: 'compute backend [default: backend of the config]', options: [...BACKENDS]}),
  }

  public async run(): Promise<void> {
    const {config} = configFromFlags(this.flags)
    const {runServe} = await import('../serve/run-serve.js')
    const {onShutdown} = await import('../process/shutdown.js')
    // SIGINT and SIGTERM alike: stop accepting, finish what is in flight, exit 0; a close that hangs
    // past the deadline (CI allows 10 s) is cut short with exit 130 / 143.
    let stopSignal!: (signal: string) => void
    const stopped = new Promise<string>((resolve) => (stopSignal = resolve))
    const shutdown = onShutdown({begin: (signal) => stopSignal(signal)})
    try {
      const running = await runServe({
        modelDir: this.flags.model,
        host: this.flags.host,
        port: this.flags.port,
        name: this.flags.name,
        backend: this.flags.backend ?? config.backend,
        batchSize: this.flags['batch-size'],
        apiKeyEnv: this.flags['api-key-env'],
        env: process.env,
      })
      if (shutdown.signal === null) {
        if (this.flags.json) this.printJson({url: running.url, model: running.modelName, backend: running.backend})
        else this.say(`lrgate serve: ${running.url} (model "${running.modelName}", backend ${running.backend}); stop with Ctrl-C`)
      }
      const signal = await stopped
      this.note(`lrgate serve: ${signal}, stopping`)
      await running.close()
    } finally {
      shutdown.dispose()
    }
  }
}
