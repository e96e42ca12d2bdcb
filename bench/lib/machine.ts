import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  kernel: string
  date: string
  load: string
}

export function machine (): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown'
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (m !== null) cpu = m[1].trim()
  } catch {}
  let load = ''
  try { load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') } catch {}
  let kernel = ''
  try { kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim() } catch {}
  return {
    cpu, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version, kernel, load, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  }
}

export function describeMachine (m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.date}, load average at start ${m.load}`
}
