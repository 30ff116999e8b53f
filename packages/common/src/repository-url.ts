/**
 * One canonical key per repository, whatever form its URL takes, so a pipeline's declared
 * repository matches what GitHub and GitLab send (`clone_url`, `ssh_url`, `html_url`,
 * `git_http_url`, `git_ssh_url`, `web_url`):
 *
 *   https://GitHub.com/Owner/Repo.git/  ┐
 *   git@github.com:owner/repo.git       ├→ github.com/owner/repo
 *   ssh://git@github.com:22/owner/repo  ┘
 *
 * Scheme, user, password, port, `www.`, `.git`, repeated and trailing slashes are dropped and
 * host and path are lower-cased (GitHub and GitLab find repositories case-insensitively).
 * GitLab subgroups stay: `gitlab.example.com/group/sub/project`. Local repositories (`/srv/r.git`,
 * `file:///srv/r.git`) keep their case: `file:///srv/r`. Null when `url` is none of these.
 */
export function repositoryKey(url: string): string | null {
  const value = url.trim();
  if (value === '') return null;
  if (value.startsWith('/') || /^file:\/\//i.test(value)) return localKey(value);
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(value);
  if (scp !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return key(scp[1] as string, scp[2] as string);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return null;
  }
  if (!/^(https?|ssh|git|git\+ssh|ssh\+git):$/.test(parsed.protocol)) return null;
  return key(parsed.hostname, decodeURIComponent(parsed.pathname));
}

/** Whether two URLs name the same repository. */
export function sameRepository(a: string, b: string): boolean {
  const left = repositoryKey(a);
  return left !== null && left === repositoryKey(b);
}

function key(host: string, path: string): string | null {
  const cleanHost = host.toLowerCase().replace(/^www\./, '');
  const cleanPath = trimPath(path).toLowerCase();
  if (cleanHost === '' || !cleanPath.includes('/')) return null;
  return `${cleanHost}/${cleanPath}`;
}

function localKey(value: string): string | null {
  const path = value.replace(/^file:\/\//i, '');
  const clean = trimPath(path);
  return clean === '' ? null : `file:///${clean}`;
}

function trimPath(path: string): string {
  return path
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
}
