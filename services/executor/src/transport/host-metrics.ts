import { readFile, statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { Counter, Gauge, type Registry } from '@fluxi/common';

const SECTOR_BYTES = 512;
/** Devices of /proc/diskstats that are not disks: loop, RAM, device-mapper and md layers above real disks. */
const NOT_A_DISK = /^(loop|ram|zram|dm-|md|sr|fd)/;

/**
 * The host an executor runs on: CPU time by mode, load, memory, the data folder's file
 * system and disk IO (Linux's /proc; elsewhere the IO counters stay absent). Read when
 * Prometheus scrapes; no label names a device or a path, so the series are few.
 */
export function registerHostMetrics(registry: Registry, dataDir: string): void {
  const registers = [registry];
  new Counter({
    name: 'fluxi_host_cpu_seconds_total',
    help: 'CPU time of the host across its CPUs, by mode (user, nice, system, idle, irq).',
    labelNames: ['mode'],
    registers,
    collect() {
      const totals = { user: 0, nice: 0, system: 0, idle: 0, irq: 0 };
      for (const cpu of cpus()) {
        totals.user += cpu.times.user;
        totals.nice += cpu.times.nice;
        totals.system += cpu.times.sys;
        totals.idle += cpu.times.idle;
        totals.irq += cpu.times.irq;
      }
      this.reset();
      for (const [mode, ms] of Object.entries(totals)) this.inc({ mode }, ms / 1000);
    },
  });
  new Gauge({
    name: 'fluxi_host_cpus',
    help: 'CPUs of the host.',
    registers,
    collect() {
      this.set(cpus().length);
    },
  });
  new Gauge({
    name: 'fluxi_host_load1',
    help: 'The host 1-minute load average.',
    registers,
    collect() {
      this.set(loadavg()[0] ?? 0);
    },
  });
  new Gauge({
    name: 'fluxi_host_memory_total_bytes',
    help: 'Memory of the host.',
    registers,
    collect() {
      this.set(totalmem());
    },
  });
  new Gauge({
    name: 'fluxi_host_memory_available_bytes',
    help: 'Memory available for new work on the host (MemAvailable on Linux, else free memory).',
    registers,
    async collect() {
      this.set((await memAvailable()) ?? freemem());
    },
  });
  const filesystem = async () => statfs(dataDir).catch(() => undefined);
  new Gauge({
    name: 'fluxi_host_filesystem_size_bytes',
    help: 'Size of the file system holding the executor data folder (work folders, log spool).',
    registers,
    async collect() {
      const stats = await filesystem();
      if (stats !== undefined) this.set(stats.blocks * stats.bsize);
    },
  });
  new Gauge({
    name: 'fluxi_host_filesystem_available_bytes',
    help: 'Space available to unprivileged users on the file system holding the executor data folder.',
    registers,
    async collect() {
      const stats = await filesystem();
      if (stats !== undefined) this.set(stats.bavail * stats.bsize);
    },
  });
  for (const [field, name, help] of [
    ['read', 'fluxi_host_disk_read_bytes_total', 'Bytes read from the host disks (Linux /proc/diskstats).'],
    ['written', 'fluxi_host_disk_written_bytes_total', 'Bytes written to the host disks (Linux /proc/diskstats).'],
  ] as const) {
    new Counter({
      name,
      help,
      registers,
      async collect() {
        const io = await diskIo();
        if (io === undefined) return;
        this.reset();
        this.inc(io[field]);
      },
    });
  }
}

async function memAvailable(): Promise<number | undefined> {
  const text = await readFile('/proc/meminfo', 'utf8').catch(() => undefined);
  const match = text?.match(/^MemAvailable:\s+(\d+) kB$/m);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

/** Bytes read and written by the whole disks (partitions and virtual layers left out, so nothing counts twice). */
export function parseDiskstats(text: string): { read: number; written: number } {
  const lines = text.split('\n').map((line) => line.trim().split(/\s+/));
  const names = new Set(lines.map((fields) => fields[2] ?? ''));
  let read = 0;
  let written = 0;
  for (const fields of lines) {
    const name = fields[2];
    if (name === undefined || fields.length < 10 || NOT_A_DISK.test(name)) continue;
    // A partition (sda1, nvme0n1p1) whose disk is listed too.
    const disk = name.replace(/p?\d+$/, '');
    if (disk !== name && names.has(disk)) continue;
    read += Number(fields[5]) * SECTOR_BYTES;
    written += Number(fields[9]) * SECTOR_BYTES;
  }
  return { read, written };
}

async function diskIo(): Promise<{ read: number; written: number } | undefined> {
  const text = await readFile('/proc/diskstats', 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseDiskstats(text);
}
