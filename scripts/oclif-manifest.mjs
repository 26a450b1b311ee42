#!/usr/bin/env node
// Writes oclif.manifest.json after the build (what `oclif manifest` does, without the oclif CLI's
// dependencies): with it, `lrgate <command>` loads only that command's module, so `lrgate check`
// never pays for the modules of `lrgate sweep`.
import {Plugin} from '@oclif/core'
import {writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const plugin = new Plugin({root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
await plugin.load()
writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest, null, 2) + '\n')
console.log(`lrgate: oclif.manifest.json lists ${Object.keys(plugin.manifest.commands).length} commands`)
