import {type ChildProcess, spawn} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'

/**
 * The one place external processes (trainers, outputs commands) are started and stopped: each in
 * its own process group, so a stop reaches everything it started, and none outlives this process.
 * Small on purpose, so it can sit on top of the shared process-supervision module.
 */

/** Seconds between SIGTERM and SIGKILL when a process group is stopped. */
export const STOP_GRACE_MS = 10_000

const live = new Set<number>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Whatever ends this process (its parent gone, an error), the groups it started end with it.
  process.on('exit', () => {
    for (const pgid of live) signalGroup(pgid, 'SIGKILL')
  })
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * Runs `command` with /bin/sh in a new process group (its leader's pid is the group id), stdout and
 * stderr piped, stdin closed.
 */
export function spawnGroup(command: string, options: {cwd: string; env: NodeJS.ProcessEnv}): ChildProcess {
  installExitHook()
  const child = spawn('/bin/sh', ['-c', command], {cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
  if (child.pid !== undefined) {
    const pgid = child.pid
    live.add(pgid)
    child.once('exit', () => {
      // The leader is gone; stragglers it left in the group are stopped by the caller's stopGroup.
      if (!signalGroup(pgid, 0)) live.delete(pgid)
    })
  }
  return child
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after `graceMs` if anything in it still runs.
 * Resolves once the group is gone.
 */
export async function stopGroup(pgid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  if (signalGroup(pgid, 'SIGTERM')) {
    const deadline = Date.now() + graceMs
    while (Date.now() < deadline && signalGroup(pgid, 0)) await new Promise((r) => setTimeout(r, 50))
    if (signalGroup(pgid, 0)) signalGroup(pgid, 'SIGKILL')
    for (let i = 0; i < 100 && signalGroup(pgid, 0); i++) await new Promise((r) => setTimeout(r, 20))
  }
  live.delete(pgid)
}

/** Forgets a group that ended by itself. */
export function forgetGroup(pgid: number): void {
  live.delete(pgid)
}

/**
 * Process ids (Linux: read from /proc) whose environment holds `name=value` — e.g. the trainers a
 * dead sweep left on one output folder (LRGATE_OUTPUT_DIR). Empty where /proc is not readable.
 */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`
  const found: number[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e))
  } catch {
    return found
  }
  for (const entry of entries) {
    const pid = Number(entry)
    if (pid === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(needle)) found.push(pid)
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}

/** The process group of a pid (Linux /proc), or null. */
export function processGroupOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so read after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[2])
  } catch {
    return null
  }
}
