import * as fs from "node:fs"

// Which process a lock names, as far as this process can tell: its pid namespace and its start.

/** This process's pid namespace (`pid:[4026531836]` on Linux), or nothing where there is none to read. */
export const PID_NAMESPACE: string | undefined = (() => {
  try {
    return fs.readlinkSync("/proc/self/ns/pid")
  } catch {
    return undefined
  }
})()

const BOOT_ID: string | undefined = (() => {
  try {
    return fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
  } catch {
    return undefined
  }
})()

/**
 * When the process `pid` of this pid namespace started: the boot and its start time in clock ticks
 * (`/proc/<pid>/stat`), which no later process of the same pid shares; nothing when it is not running
 * (a zombie has exited) or /proc does not say.
 */
export const startOf = (pid: number): string | undefined => {
  if (BOOT_ID === undefined) return undefined
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    // After the name in parentheses (which may hold spaces): the state, then fields 4 … 22 (start time).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const ticks = fields[19]
    return ticks === undefined || fields[0] === "Z" || fields[0] === "X" ? undefined : `${BOOT_ID}/${ticks}`
  } catch {
    return undefined
  }
}

/**
 * Whether `start` (a holder's recorded start) was taken on this boot of this machine: only then can this
 * process's /proc say whether that holder still runs. Another machine of the same host name and pid
 * namespace (cloned images sharing a disk) or an earlier boot is judged by the heartbeat instead.
 */
export const startedThisBoot = (start: string): boolean => BOOT_ID !== undefined && start.startsWith(`${BOOT_ID}/`)

/** When this process started (see `startOf`). */
export const PROCESS_START = startOf(process.pid)
