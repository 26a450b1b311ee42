#!/usr/bin/env node
// `npm test`: node's test runner over test/*/*.test.ts, one file at a time (the tests start real
// processes that use both cores). The install test is minutes of a mostly single-threaded C/C++
// compile, so it runs beside the others instead of after them; its report is printed when both end.
// With file arguments, runs just those files, in order. Every test's temporary folders go under one
// folder of this run (TMPDIR), removed when the run passes and kept, with its path printed, when not.
import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const runner = ['--import', 'tsx', '--test', '--test-concurrency=1']
const given = process.argv.slice(2)
const all = given.length > 0 ? given : readdirSync('test', {withFileTypes: true}).filter((d) => d.isDirectory() && d.name !== 'fixtures').flatMap((d) => readdirSync(join('test', d.name)).filter((f) => f.endsWith('.test.ts')).map((f) => join('test', d.name, f))).sort()
const beside = given.length > 0 ? [] : all.filter((f) => f.startsWith(join('test', 'install') + '/'))
const main = all.filter((f) => !beside.includes(f))

const scratch = mkdtempSync(join(tmpdir(), 'lrgate-test-'))
const env = {...process.env, TMPDIR: scratch}
const exited = (child) => new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))))
let besideOutput = ''
const side = beside.length === 0 ? null : spawn(process.execPath, [...runner, ...beside], {stdio: ['ignore', 'pipe', 'pipe'], env})
side?.stdout.on('data', (d) => (besideOutput += d))
side?.stderr.on('data', (d) => (besideOutput += d))
// Listen now: the side run often ends first, and an 'exit' listener added later would never fire.
const sideExited = side ? exited(side) : Promise.resolve(0)
const mainCode = await exited(spawn(process.execPath, [...runner, ...main], {stdio: 'inherit', env}))
const sideCode = await sideExited
if (side) process.stdout.write(`\n# ${beside.join(' ')} (run beside the others)\n${besideOutput}`)
const code = mainCode !== 0 ? mainCode : sideCode
if (code === 0) rmSync(scratch, {recursive: true, force: true})
else process.stderr.write(`\nThe tests' temporary files are kept in ${scratch}\n`)
process.exit(code)
