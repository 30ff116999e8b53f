export { artifactsDir, artifactStore } from './config.js';
export { LocalArtifactStore } from './local-store.js';
export type { ArtifactStoreOptions, OpenedArtifact, SaveResult } from './local-store.js';
export type { SkippedPath } from './collect.js';
export type { ArtifactFile } from './stored.js';
