#!/usr/bin/env node
// Builds native/ (the OpenBLAS-backed kernels) with node-gyp. Never fails the install: without a
// compiler or Node headers lrgate still runs on plain tfjs and says why.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const nativeDir = join(root, 'native')

function nodeGyp() {
  // npm exports the path of its bundled node-gyp to lifecycle scripts.
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  if (existsSync(npmDir)) return npmDir
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')
  } catch {
    return null
  }
}

// Build against the running Node's own headers when they are installed, so nothing is downloaded.
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir
  const prefix = join(dirname(process.execPath), '..')
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null
}

const gyp = nodeGyp()
if (gyp === null) {
  console.warn('lrgate: node-gyp not found; the native compute path is not built (lrgate will use plain tfjs).')
  process.exit(0)
}
const args = [gyp, 'rebuild', '--release', `--directory=${nativeDir}`]
const dir = nodeDir()
if (dir) args.push(`--nodedir=${dir}`)
const result = spawnSync(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
if (result.status !== 0) {
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-8).join('\n')
  console.warn(`lrgate: building the native compute path failed; lrgate will use plain tfjs.\n${tail}`)
  process.exit(0)
}
console.log('lrgate: native compute path built (native/build/Release/lrgate_native.node)')
