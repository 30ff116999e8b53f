import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importRootfs, tempDir, writeBusyboxRootfs, type TestDocker } from '@fluxi/testkit';

/**
 * A stand-in for node:20-bookworm-slim built without a registry: this machine's `node`
 * binary and the shared libraries it and the native addons of node_modules need (ldd),
 * this machine's npm, busybox-static for /bin/sh and the usual tools, the CA bundle of
 * NODE_EXTRA_CA_CERTS when set (npm inside the build must trust what this machine trusts).
 */
export async function buildNodeBaseImage(docker: TestDocker, repoRoot: string, image: string): Promise<void> {
  const root = tempDir('fluxi-node-rootfs-');
  try {
    writeBusyboxRootfs(root.path);
    const node = realpathSync(process.execPath);
    copyInto(root.path, node, '/usr/local/bin/node');
    const npmCli = realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
    const npmDir = join(dirname(npmCli), '..');
    cpSync(npmDir, join(root.path, 'usr/local/lib/node_modules/npm'), { recursive: true, dereference: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root.path, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root.path, 'usr/local/bin/npx'));
    for (const library of sharedLibraries([node, ...nativeAddons(join(repoRoot, 'node_modules'))])) {
      copyInto(root.path, library, library);
    }
    writeFileSync(join(root.path, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
    const changes = ['ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["node"]'];
    const ca = process.env['NODE_EXTRA_CA_CERTS'];
    if (ca) {
      copyInto(root.path, ca, ca);
      changes.push(`ENV NODE_EXTRA_CA_CERTS=${ca}`);
    }
    await importRootfs(docker, root.path, image, changes);
  } finally {
    root.remove();
  }
}

function copyInto(root: string, from: string, to: string): void {
  mkdirSync(dirname(join(root, to)), { recursive: true });
  cpSync(from, join(root, to), { dereference: true });
}

/** `.node` and `.so` files under `dir` (the native addons Fluxi loads: chDB, msgpackr…). */
function nativeAddons(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string, depth: number) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < 8) walk(path, depth + 1);
      else if (entry.isFile() && /\.(node|so)$/.test(entry.name) && statSync(path).size > 0) found.push(path);
    }
  };
  walk(dir, 0);
  return found;
}

/** Absolute paths of the shared libraries `ldd` lists for the given files (files it cannot read are skipped). */
function sharedLibraries(files: string[]): Set<string> {
  const libraries = new Set<string>();
  for (const file of files) {
    let output: string;
    try {
      output = execFileSync('ldd', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue; // not a dynamic executable for this libc (musl builds, static files)
    }
    for (const match of output.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) {
      if (match[1] && !match[1].includes('node_modules')) libraries.add(match[1]);
    }
  }
  return libraries;
}
