import { join, resolve } from 'node:path';
import type { FluxiConfig } from '@fluxi/common';
import { LocalArtifactStore } from './local-store.js';

/** The folder holding artifacts: `artifacts.dir`, or `<dataDir>/artifacts`; absolute. */
export function artifactsDir(config: FluxiConfig): string {
  return resolve(config.artifacts.dir ?? join(config.dataDir, 'artifacts'));
}

/** The store a Fluxi installation's configuration describes. */
export function artifactStore(config: FluxiConfig): LocalArtifactStore {
  return new LocalArtifactStore({ dir: artifactsDir(config), maxFileBytes: config.artifacts.maxFileBytes });
}
