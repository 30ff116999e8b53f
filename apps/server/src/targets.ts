/** What `fluxi-server --target` can run (a module of its own: the CLI reads it before loading any service). */
export const TARGETS = ['all', 'gateway', 'catalog', 'scheduler', 'executor', 'logs'] as const;
export type Target = (typeof TARGETS)[number];
