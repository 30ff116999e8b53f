import type { Database } from '@fluxi/db';
import { createTestDatabase, tempDir } from '@fluxi/testkit';
import { openCatalogDatabase } from '../src/store/database.js';

/** A catalog database that can be closed and reopened with the same data. */
export interface Backend {
  dataDir: string;
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

export interface BackendKind {
  name: 'pglite' | 'postgres';
  /** Whether two separate handles on the same data can be open at once. */
  multipleHandles: boolean;
  create(): Promise<Backend>;
}

export const backends: BackendKind[] = [
  {
    name: 'pglite',
    multipleHandles: false,
    async create() {
      const dir = tempDir('fluxi-catalog-');
      return {
        dataDir: dir.path,
        open: () => openCatalogDatabase({ dataDir: dir.path }),
        dispose: async () => dir.remove(),
      };
    },
  },
  {
    name: 'postgres',
    multipleHandles: true,
    async create() {
      const dir = tempDir('fluxi-catalog-');
      const database = await createTestDatabase('fluxi_catalog');
      return {
        dataDir: dir.path,
        open: () => openCatalogDatabase({ url: database.url, dataDir: dir.path }),
        dispose: async () => {
          await database.drop();
          dir.remove();
        },
      };
    },
  },
];
