import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { constants } from 'node:os';

/**
 * Starts a shell job with glibc's posix_spawn (a vfork: the executor's memory is not copied)
 * instead of Node's spawn, which forks the whole process: on a VM with paravirtualised page
 * tables that fork blocked the executor's event loop 7–10 ms per job, posix_spawn 0.7 ms
 * (bench/README.md, issue 14). Called through koffi (an FFI library shipping its binaries in its
 * npm package). The job gets what Node's spawn gave it: /bin/sh -c, its own session and process
 * group, the work folder, only the given variables, /dev/null as input, default signal
 * handling and an empty signal mask, and two pipes for its output.
 */

/** A started shell: its output pipes and its exit, reaped with waitpid. */
export interface SpawnedShell {
  pid: number;
  stdout: Socket;
  stderr: Socket;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The exit, and both output pipes closed (as a child process's 'close'). */
  closed: Promise<void>;
}

export type SpawnShell = (command: string, cwd: string, env: Record<string, string>) => SpawnedShell;

/** Thrown when posix_spawn refused (errno's name, as Node's spawn errors have it). */
export class SpawnError extends Error {
  constructor(readonly code: string) {
    super(`spawn /bin/sh ${code}`);
  }
}

// glibc's flags and sizes (x86_64 and aarch64); the opaque structures get more room than they need.
const O_CLOEXEC = 0o2000000;
const O_RDONLY = 0;
const WNOHANG = 1;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const OPAQUE_BYTES = 512;
/**
 * Longest wait between two looks for the exit of a job whose output is still open. A job's exit
 * is normally seen as its pipes close; the look on a timer is for one whose background children
 * keep them open (then the drain's 2 s cap follows anyway), and stays cheap with many jobs.
 */
const MAX_POLL_MS = 250;

type Fn = (...args: unknown[]) => number;
interface Koffi {
  load(path: string): { func(signature: string): Fn };
  /** The calling thread's errno after the last call. */
  errno(): number;
}

interface Libc {
  errno: () => number;
  pipe2: Fn;
  close: Fn;
  waitpid: Fn;
  faInit: Fn;
  faDestroy: Fn;
  faOpen: Fn;
  faDup2: Fn;
  faChdir: Fn;
  attrInit: Fn;
  attrDestroy: Fn;
  attrFlags: Fn;
  attrSigDefault: Fn;
  attrSigMask: Fn;
  sigfillset: Fn;
  sigemptyset: Fn;
  spawn: Fn;
}

/** The spawner, or why it cannot be had here (not Linux, not glibc ≥ 2.29, koffi missing). */
export function loadPosixSpawn(library = 'libc.so.6'): SpawnShell | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: `not on ${process.platform}` };
  let libc: Libc;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const lib = koffi.load(library);
    libc = {
      errno: () => koffi.errno(),
      pipe2: lib.func('int pipe2(_Out_ int *fds, int flags)'),
      close: lib.func('int close(int fd)'),
      waitpid: lib.func('int waitpid(int pid, _Out_ int *status, int options)'),
      faInit: lib.func('int posix_spawn_file_actions_init(_Inout_ uint8_t *actions)'),
      faDestroy: lib.func('int posix_spawn_file_actions_destroy(_Inout_ uint8_t *actions)'),
      faOpen: lib.func(
        'int posix_spawn_file_actions_addopen(_Inout_ uint8_t *actions, int fd, const char *path, int flags, int mode)',
      ),
      faDup2: lib.func('int posix_spawn_file_actions_adddup2(_Inout_ uint8_t *actions, int fd, int to)'),
      faChdir: lib.func('int posix_spawn_file_actions_addchdir_np(_Inout_ uint8_t *actions, const char *path)'),
      attrInit: lib.func('int posix_spawnattr_init(_Inout_ uint8_t *attr)'),
      attrDestroy: lib.func('int posix_spawnattr_destroy(_Inout_ uint8_t *attr)'),
      attrFlags: lib.func('int posix_spawnattr_setflags(_Inout_ uint8_t *attr, short flags)'),
      attrSigDefault: lib.func('int posix_spawnattr_setsigdefault(_Inout_ uint8_t *attr, const uint8_t *set)'),
      attrSigMask: lib.func('int posix_spawnattr_setsigmask(_Inout_ uint8_t *attr, const uint8_t *set)'),
      sigfillset: lib.func('int sigfillset(_Inout_ uint8_t *set)'),
      sigemptyset: lib.func('int sigemptyset(_Inout_ uint8_t *set)'),
      spawn: lib.func(
        'int posix_spawn(_Out_ int *pid, const char *path, const uint8_t *actions, const uint8_t *attr, const char **argv, const char **envp)',
      ),
    };
  } catch (error) {
    return { unavailable: `${library}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return (command, cwd, env) => spawnShell(libc, command, cwd, env);
}

function spawnShell(libc: Libc, command: string, cwd: string, env: Record<string, string>): SpawnedShell {
  const out = pipe(libc);
  let err: [number, number];
  try {
    err = pipe(libc);
  } catch (error) {
    libc.close(out[0]);
    libc.close(out[1]);
    throw error;
  }
  const actions = new Uint8Array(OPAQUE_BYTES);
  const attr = new Uint8Array(OPAQUE_BYTES);
  const all = new Uint8Array(OPAQUE_BYTES);
  const none = new Uint8Array(OPAQUE_BYTES);
  const pid = [0];
  let failed: number;
  libc.faInit(actions);
  libc.attrInit(attr);
  try {
    libc.faOpen(actions, 0, '/dev/null', O_RDONLY, 0);
    libc.faDup2(actions, out[1], 1);
    libc.faDup2(actions, err[1], 2);
    libc.faChdir(actions, cwd);
    libc.sigfillset(all);
    libc.sigemptyset(none);
    libc.attrSigDefault(attr, all);
    libc.attrSigMask(attr, none);
    libc.attrFlags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    const variables = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    failed = libc.spawn(pid, '/bin/sh', actions, attr, ['/bin/sh', '-c', command, null], [...variables, null]);
  } finally {
    libc.faDestroy(actions);
    libc.attrDestroy(attr);
    libc.close(out[1]);
    libc.close(err[1]);
  }
  if (failed !== 0) {
    libc.close(out[0]);
    libc.close(err[0]);
    throw new SpawnError(errnoName(failed));
  }
  const stdout = new Socket({ fd: out[0], readable: true, writable: false });
  const stderr = new Socket({ fd: err[0], readable: true, writable: false });
  const reaper = new Reaper(libc, pid[0] as number);
  // A job's output closes when it exits (unless something it started holds it): look at once then.
  const pipesClosed = Promise.all(
    [stdout, stderr].map((pipe) => new Promise<void>((resolve) => pipe.once('close', () => resolve()))),
  );
  void pipesClosed.then(() => reaper.lookSoon());
  const closed = Promise.all([reaper.exited, pipesClosed]).then(() => undefined);
  return { pid: pid[0] as number, stdout, stderr, exited: reaper.exited, closed };
}

function pipe(libc: Libc): [number, number] {
  const fds = [0, 0];
  if (libc.pipe2(fds, O_CLOEXEC) !== 0) throw new SpawnError(errnoName(libc.errno()));
  return fds as [number, number];
}

/** waitpid(WNOHANG) until the process is reaped: at once when its output closed, else every ≤ 250 ms. */
class Reaper {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private resolve!: (exit: { code: number | null; signal: NodeJS.Signals | null }) => void;
  private timer: NodeJS.Timeout | undefined;
  private delayMs = 1;

  constructor(
    private readonly libc: Libc,
    private readonly pid: number,
  ) {
    this.exited = new Promise((resolve) => (this.resolve = resolve));
    this.timer = setTimeout(() => this.look(), this.delayMs);
  }

  lookSoon(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.delayMs = 1;
    this.look();
  }

  private look(): void {
    const status = [0];
    const reaped = this.libc.waitpid(this.pid, status, WNOHANG);
    if (reaped === 0) {
      this.timer = setTimeout(() => this.look(), this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, MAX_POLL_MS);
      return;
    }
    this.timer = undefined;
    // -1: not ours to reap any more (cannot happen unless someone else waited for it).
    this.resolve(reaped === this.pid ? exitOf(status[0] as number) : { code: null, signal: null });
  }
}

/** The exit code or the signal of a wait status (WIFEXITED, WTERMSIG). */
export function exitOf(status: number): { code: number | null; signal: NodeJS.Signals | null } {
  const signal = status & 0x7f;
  if (signal === 0) return { code: (status >> 8) & 0xff, signal: null };
  const name = Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
  return { code: null, signal: (name as NodeJS.Signals | undefined) ?? null };
}

function errnoName(errno: number): string {
  return Object.entries(constants.errno).find(([, number]) => number === errno)?.[0] ?? `errno ${errno}`;
}
