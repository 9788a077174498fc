import { readFileSync } from 'node:fs'

/** Resident set size of a process now, and its peak so far (Linux /proc VmRSS / VmHWM), in bytes. */
export function residentBytes (pid: number): { rss: number, peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 }
}
