import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, openSync, readSync, closeSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { engineRequest } from './docker-api.js';
import { tempDir } from './tmp.js';

/** The tag of the test image built by ensureTestImage. */
export const TEST_IMAGE = 'fluxi-test/busybox:1';

const built = new Map<string, Promise<string>>();

/**
 * Builds (once per engine, cached by tag) a tiny image from Debian's busybox-static:
 * every busybox applet (/bin/sh, sleep, echo, cat, head, yes, dd…) as a symlink to
 * /bin/busybox, /tmp, root and nobody in /etc/passwd. `docker import` of a tar of that
 * root filesystem, made with the system `tar`. Resolves with the tag.
 */
export function ensureTestImage(docker: { socketPath: string }, tag = TEST_IMAGE): Promise<string> {
  const key = `${docker.socketPath}\n${tag}`;
  let image = built.get(key);
  if (!image) {
    image = buildTestImage(docker.socketPath, tag);
    built.set(key, image);
    image.catch(() => built.delete(key));
  }
  return image;
}

/** `repo:tag` split for the import API; the tag is `latest` when not given. */
function splitTag(image: string): { repo: string; tag: string } {
  const match = /^([a-z0-9][a-z0-9._/-]*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$/.exec(image);
  if (!match?.[1]) throw new Error(`"${image}" is not an image tag like ${TEST_IMAGE}`);
  return { repo: match[1], tag: match[2] ?? 'latest' };
}

async function imageExists(socketPath: string, image: string): Promise<boolean> {
  return (await engineRequest(socketPath, 'GET', `/images/${image}/json`)).status === 200;
}

async function buildTestImage(socketPath: string, image: string): Promise<string> {
  const { repo, tag } = splitTag(image);
  if (await imageExists(socketPath, `${repo}:${tag}`)) return image;
  const root = tempDir('fluxi-rootfs-');
  try {
    writeBusyboxRootfs(root.path);
    await importRootfs({ socketPath }, root.path, image, ['CMD ["/bin/sh"]']);
    return image;
  } finally {
    root.remove();
  }
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * `docker import` of the folder `root` (a tar made with the system `tar`, owned by root)
 * as `image`, with Dockerfile-like `changes` (`ENV …`, `CMD […]`; PATH is set unless
 * given). `root` is made mode 0755 (it becomes `/`). Resolves once the engine lists the image.
 */
export async function importRootfs(
  docker: { socketPath: string },
  root: string,
  image: string,
  changes: string[] = [],
): Promise<void> {
  const { repo, tag } = splitTag(image);
  // The folder becomes the image's `/`: a temp folder's 0700 would lock every other user out.
  chmodSync(root, 0o755);
  const tar = spawn('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tarErrors = '';
  tar.stderr.on('data', (chunk: Buffer) => (tarErrors = (tarErrors + chunk.toString()).slice(-2000)));
  const tarDone = new Promise<number | null>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', resolve);
  });
  const all = changes.some((change) => change.startsWith('ENV PATH='))
    ? changes
    : [`ENV PATH=${DEFAULT_PATH}`, ...changes];
  const query = all.map((change) => `&changes=${encodeURIComponent(change)}`).join('');
  const reply = await engineRequest(
    docker.socketPath,
    'POST',
    `/images/create?fromSrc=-&repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}${query}`,
    { body: tar.stdout, headers: { 'content-type': 'application/x-tar' }, timeoutMs: 300_000 },
  );
  const code = await tarDone;
  if (code !== 0) throw new Error(`tar of the root filesystem for ${image} failed (${code}): ${tarErrors}`);
  // The import answers 200 with a JSON stream; a failure is an `error` entry in it.
  const error = /"error"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(reply.body)?.[1];
  if (reply.status !== 200 || error) {
    throw new Error(
      `docker import of ${image} failed (${reply.status}): ${error ? String(JSON.parse(error)) : reply.body}`,
    );
  }
  if (!(await imageExists(docker.socketPath, `${repo}:${tag}`))) {
    throw new Error(`docker import of ${image}: the engine does not list the image afterwards`);
  }
}

/**
 * Writes a busybox root filesystem into `root`: the machine's static busybox as
 * /bin/busybox, every applet where busybox installs it (bin/sh, usr/bin/head, sbin/…)
 * as a symlink to it, /tmp, and root and nobody in /etc/passwd.
 */
export function writeBusyboxRootfs(root: string): void {
  const busybox = staticBusybox();
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(busybox, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    mkdirSync(dirname(join(root, applet)), { recursive: true });
    symlinkSync('/bin/busybox', join(root, applet));
  }
  for (const folder of ['tmp', 'root', 'etc', 'proc', 'sys', 'dev', 'var/tmp']) {
    mkdirSync(join(root, folder), { recursive: true });
  }
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'var/tmp'), 0o1777);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

const BUSYBOX_PATHS = ['/bin/busybox', '/usr/bin/busybox', '/usr/local/bin/busybox'];

/** The machine's statically linked busybox (Debian's busybox-static); throws saying how to get one. */
function staticBusybox(): string {
  const found = BUSYBOX_PATHS.filter(isFile);
  const busybox = found.find(isStaticElf);
  if (busybox) return busybox;
  if (found.length > 0) {
    throw new Error(
      `${found.join(', ')} is dynamically linked: the test image needs a static busybox (Debian: apt-get install busybox-static)`,
    );
  }
  throw new Error('no busybox on this machine: the test image needs one (Debian: apt-get install busybox-static)');
}

function isFile(path: string): boolean {
  try {
    closeSync(openSync(path, 'r'));
    return true;
  } catch {
    return false;
  }
}

/** An ELF executable with no program interpreter (PT_INTERP) runs without shared libraries. */
function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[5] !== 1) return false; // ELF, little-endian
    const is64 = header[4] === 2;
    const phoff = is64 ? Number(header.readBigUInt64LE(32)) : header.readUInt32LE(28);
    const phentsize = header.readUInt16LE(is64 ? 54 : 42);
    const phnum = header.readUInt16LE(is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    }
    return true;
  } finally {
    closeSync(fd);
  }
}
