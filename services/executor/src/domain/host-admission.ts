/** Thresholds under which an executor takes no new job (config `executor.admission`). */
export interface AdmissionThresholds {
  readonly minFreeMemoryMiB?: number | undefined;
  readonly maxLoadPerCpu?: number | undefined;
}

/** What the host has now. */
export interface HostSample {
  readonly freeMemoryMiB: number;
  /** 1-minute load average divided by the number of CPUs. */
  readonly loadPerCpu: number;
}

/** Why the host cannot take a new job now; undefined when it can (or nothing is checked). */
export function admissionProblem(thresholds: AdmissionThresholds, host: HostSample): string | undefined {
  const problems: string[] = [];
  const { minFreeMemoryMiB, maxLoadPerCpu } = thresholds;
  if (minFreeMemoryMiB !== undefined && host.freeMemoryMiB < minFreeMemoryMiB) {
    problems.push(`free memory ${Math.floor(host.freeMemoryMiB)} MiB is under ${minFreeMemoryMiB} MiB`);
  }
  if (maxLoadPerCpu !== undefined && host.loadPerCpu > maxLoadPerCpu) {
    problems.push(`load per CPU ${host.loadPerCpu.toFixed(2)} is over ${maxLoadPerCpu}`);
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** Whether an execute queue's tags are all carried by the executor. */
export const carriesAll = (executorTags: readonly string[], queueTags: readonly string[]): boolean =>
  queueTags.every((tag) => executorTags.includes(tag));
