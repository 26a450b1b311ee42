import {readdirSync, readFileSync} from 'node:fs'

import {DEFAULT_GRACE_MS, signalGroup} from '../process/index.js'

/**
 * Finding and stopping trainers that a dead sweep left running (a resume must not race them on
 * the same {output_dir}). Trainers lrgate starts itself go through src/process (spawnSupervised:
 * own process group, guardian, SIGTERM → SIGKILL); this file is only for groups lrgate did not
 * start in this process.
 */

/** Whether any process of group `pgid` still runs. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Stops a process group this process did not start (no child handle to wait on): SIGTERM, then
 * SIGKILL after `graceMs` if anything in it still runs. Resolves once the group is gone (or 2 s
 * after the SIGKILL: a zombie nobody reaps still counts as a member).
 */
export async function stopForeignGroup(pgid: number, graceMs = DEFAULT_GRACE_MS): Promise<void> {
  if (!groupAlive(pgid)) return
  signalGroup(pgid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && groupAlive(pgid)) await new Promise((r) => setTimeout(r, 50))
  if (!groupAlive(pgid)) return
  signalGroup(pgid, 'SIGKILL')
  for (let i = 0; i < 100 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 20))
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
