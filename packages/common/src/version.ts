/** The product version, printed by `--version` and reported by /health. */
export const FLUXI_VERSION = '0.3.0-alpha';
