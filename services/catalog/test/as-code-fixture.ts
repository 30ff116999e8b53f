import { READER, type CatalogHarness, type Data } from './catalog-harness.js';

/** What the pipelines-as-code tests share: a full fluxi.yaml, the import mutation, and calls on a catalog. */

/** A fluxi.yaml with every field; the tests refer to its lines and columns. */
export const FLUXI_YAML = `version: 1
jobs:
  build:
    command: make build
    image: node:20
    env: { CI: "true" }
    timeoutSec: 600
    maxAttempts: 3
    retry: { on: [job, infrastructure], exitCodes: [137], backoff: exponential, delaySec: 1, maxDelaySec: 30, jitter: true }
    artifacts: [dist/**]
    pool: linux-docker
    tags: [arm64]
    maxConcurrent: 2
    docker: { pullPolicy: always, cpus: 1.5, memoryMiB: 2048, entrypoint: [/bin/bash, -c], keepOnFailure: true }
  lint:
    command: |
      npm ci
      npm run lint
pipelines:
  ci:
    description: Build and test
    timeoutSec: 3600
    concurrency: { group: deploy-production }
    stages:
      - name: check
        jobs: [{ job: lint }]
      - name: build
        jobs:
          - job: build
            name: build-app
            needs: [lint]
            when: always
            allowFailure: true
            matrix: { node: ["18", "20"] }
            pool: linux-big
            tags: [gpu]
schedules:
  nightly: { pipeline: ci, cron: "0 3 * * *", timezone: Europe/Paris }
`;

export const IMPORT = `mutation ($yaml: String!, $dryRun: Boolean) {
  importDefinitions(yaml: $yaml, dryRun: $dryRun) { dryRun changes { kind name action fields } }
}`;
const EXPORT = '{ exportDefinitions }';
const COUNTS = '{ jobs { id } pipelines { id } schedules { id } }';

export interface AsCodeCalls {
  /** How many jobs, pipelines and schedules the catalog has. */
  counts(): Promise<number[]>;
  /** Imports a fluxi.yaml (on a dry run if asked) as a writer: the result of importDefinitions. */
  importYaml(yaml: string, dryRun?: boolean): Promise<Data>;
  /** The catalog exported as a fluxi.yaml, read by a reader. */
  exportYaml(): Promise<string>;
}

/** The calls on the catalog `catalog()` answers once it has started. */
export function asCodeCalls(catalog: () => CatalogHarness): AsCodeCalls {
  return {
    async counts() {
      const data = await catalog().ok(COUNTS, {}, READER);
      return [data.jobs.length, data.pipelines.length, data.schedules.length];
    },
    importYaml: async (yaml, dryRun = false) => (await catalog().ok(IMPORT, { yaml, dryRun })).importDefinitions,
    exportYaml: async () => (await catalog().ok(EXPORT, {}, READER)).exportDefinitions,
  };
}
