import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '@fluxi/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { readManifests, schemaErrors, typeErrors, type Manifest } from './k8s-schemas.js';
import { ROOT } from './tools.js';

/* k8s/ checked against the Kubernetes and KEDA schemas offline (see k8s-schemas.ts), then read for what the deployment needs. */

const K8S = join(ROOT, 'k8s');
const SCHEDULER_METRICS = join(ROOT, 'services/scheduler/src/transport/metrics/scheduler-metrics.ts');

function manifestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return manifestFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

const readAll = (): Manifest[] =>
  manifestFiles(K8S).flatMap((path) => readManifests(relative(ROOT, path), readFileSync(path, 'utf8')));

interface Container {
  name: string;
  args?: string[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  startupProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Deployment {
  metadata: { name: string };
  spec: {
    template: {
      metadata: { labels: Record<string, string> };
      spec: { terminationGracePeriodSeconds?: number; containers: Container[] };
    };
  };
}

// any: these tests reach into a parsed manifest (any YAML) to read or break one field.
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One manifest changed by `change` (a deep copy), e.g. to break it. */
function changed(manifest: Manifest, change: (doc: Loose) => void): Manifest {
  const doc = structuredClone(manifest.doc) as Loose;
  change(doc);
  return { ...manifest, doc: doc as Manifest['doc'] };
}

describe('k8s/', () => {
  let manifests: Manifest[] = [];
  const find = (kind: string, name: string): Manifest => {
    const found = manifests.find(({ doc }) => doc.kind === kind && doc.metadata?.name === name);
    if (found === undefined) throw new Error(`no ${kind} ${name} in k8s/`);
    return found;
  };
  beforeAll(() => {
    manifests = readAll();
  });

  it('matches the Kubernetes and KEDA schemas: types, required fields, formats', async () => {
    expect(manifests.length).toBeGreaterThanOrEqual(12);
    expect(await schemaErrors(manifests)).toEqual([]);
  });

  it('names no unknown field', () => {
    expect(typeErrors(manifests)).toEqual([]);
  });

  it('refuses a field of the wrong type, an unknown field, an unknown kind', async () => {
    const executor = find('Deployment', 'fluxi-executor');
    const scaler = find('ScaledObject', 'fluxi-executor');
    const wrongType = changed(executor, (doc) => (doc.spec.replicas = 'two'));
    expect(await schemaErrors([wrongType])).toEqual([expect.stringContaining('data/spec/replicas must be integer')]);
    const wrongTrigger = changed(scaler, (doc) => (doc.spec.triggers[0].metadata.threshold = 4));
    expect(await schemaErrors([wrongTrigger])).toEqual([
      expect.stringContaining('data/spec/triggers/0/metadata/threshold must be string'),
    ]);
    const typo = changed(executor, (doc) => {
      const container = doc.spec.template.spec.containers[0];
      container.livenesProbe = container.livenessProbe;
    });
    expect(typeErrors([typo])).toEqual([
      expect.stringMatching(/fluxi-executor.*'"livenesProbe"' does not exist in type/),
    ]);
    const unknownScalerField = changed(scaler, (doc) => (doc.spec.maxReplicas = 10));
    expect(typeErrors([unknownScalerField])).toEqual([expect.stringContaining(`'"maxReplicas"' does not exist`)]);
    const unknownKind = changed(executor, (doc) => (doc.kind = 'Deploymnet'));
    expect(await schemaErrors([unknownKind])).toEqual([expect.stringContaining('no schema for apps/v1 Deploymnet')]);
  });

  it('gives every container probes and resource requests and limits', () => {
    const deployments = manifests.filter(({ doc }) => doc.kind === 'Deployment');
    expect(deployments.map(({ doc }) => doc.metadata?.name).sort()).toEqual(
      ['catalog', 'executor', 'gateway', 'logs', 'scheduler'].map((name) => `fluxi-${name}`),
    );
    for (const { doc } of deployments) {
      for (const container of (doc as unknown as Deployment).spec.template.spec.containers) {
        const where = `${doc.metadata?.name}/${container.name}`;
        expect(container.startupProbe, where).toBeDefined();
        expect(container.readinessProbe, where).toBeDefined();
        expect(container.livenessProbe, where).toBeDefined();
        expect(Object.keys(container.resources?.requests ?? {}).sort(), where).toEqual(['cpu', 'memory']);
        expect(container.resources?.limits?.memory, where).toBeDefined();
      }
    }
  });

  it('gives executors time to drain, a disruption budget and an autoscaler on queue depth', () => {
    const executor = find('Deployment', 'fluxi-executor').doc as unknown as Deployment;
    const { shutdownGraceSec } = loadConfig({}).executor;
    // Running jobs get shutdownGraceSec, their finish events 10 s more (apps/server/src/stop-bounds.ts).
    expect(executor.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(shutdownGraceSec + 10);

    const labels = executor.spec.template.metadata.labels;
    const budget = find('PodDisruptionBudget', 'fluxi-executor').doc as unknown as { spec: Loose };
    expect(budget.spec.maxUnavailable).toBe(1);
    expect(labels).toMatchObject(budget.spec.selector.matchLabels as Record<string, string>);

    const scaler = find('ScaledObject', 'fluxi-executor').doc as unknown as { spec: Loose };
    expect(scaler.spec.scaleTargetRef.name).toBe(executor.metadata.name);
    const [trigger] = scaler.spec.triggers as { type: string; metadata: Record<string, string> }[];
    expect(trigger?.type).toBe('prometheus');
    // The query reads the scheduler's gauge by its name and states.
    const metric = /\b(fluxi_\w+)\{pool="default",state=~"waiting\|active"\}/.exec(trigger?.metadata.query ?? '')?.[1];
    expect(metric).toBe('fluxi_queue_depth');
    const source = readFileSync(SCHEDULER_METRICS, 'utf8');
    expect(source).toContain(`name: '${metric}'`);
    expect(source).toMatch(/state: 'waiting'[\s\S]*state: 'active'/);
    // One executor per executor.concurrency of demand.
    const concurrency = executor.spec.template.spec.containers[0]?.args?.find((arg) =>
      arg.startsWith('executor.concurrency='),
    );
    expect(trigger?.metadata.threshold).toBe(concurrency?.split('=')[1]);
  });
});
