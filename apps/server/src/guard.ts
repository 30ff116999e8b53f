import { spawnExitGuard, type GuardHandle } from '@fluxi/common';

/** Seconds a guarded process is given between SIGTERM and SIGKILL once its launcher is gone. */
const GUARD_GRACE_SEC = 3;

/**
 * Stops process `pid` if this process dies without stopping it (even by SIGKILL); see
 * spawnExitGuard. `release()` ends the guard once `pid` was stopped in order.
 */
export function guardChild(pid: number): GuardHandle {
  return spawnExitGuard(
    `read -r _; kill -TERM ${pid} 2>/dev/null; sleep ${GUARD_GRACE_SEC}; kill -KILL ${pid} 2>/dev/null`,
  );
}
