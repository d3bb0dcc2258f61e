/**
 * Memory of a running workerd, read from /proc (Linux only); shared by `npm run soak` and `npm run bench`.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Memory of one process, MB: resident, its private (anonymous) part, and the kernel's resident high-water mark. */
export interface Memory {
  rssMb: number;
  anonMb: number;
  hwmMb: number;
}

/** Identity of a process as /proc/<pid>/stat gives it. */
export interface ProcessIds {
  pid: number;
  ppid: number;
  pgrp: number;
}

/**
 * Memory of the largest workerd process that `match` accepts (wrangler dev starts two, a small proxy and the
 * worker's runtime; the larger is the worker's), or zeros if none runs. Its RSS includes workerd's own code
 * (file-backed); the anonymous part is the V8 heaps, ORT's compiled wasm and linear memory, and the model.
 */
export function workerdMemory(match: (ids: ProcessIds) => boolean): Memory {
  const all: Memory[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, pgrp, …
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (!stat.includes('(workerd)') || !match({ pid: Number(pid), ppid: Number(ppid), pgrp: Number(pgrp) })) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const megabytes = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
      all.push({ rssMb: megabytes('VmRSS'), anonMb: megabytes('RssAnon'), hwmMb: megabytes('VmHWM') });
    } catch {
      // The process ended while being read.
    }
  }
  return all.sort((a, b) => b.rssMb - a.rssMb)[0] ?? { rssMb: 0, anonMb: 0, hwmMb: 0 };
}
