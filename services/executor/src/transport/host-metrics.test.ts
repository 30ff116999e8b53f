import { describe, expect, it } from 'vitest';
import { parseDiskstats } from './host-metrics.js';

describe('parseDiskstats', () => {
  it('sums whole disks only: partitions and virtual layers would count twice', () => {
    const text = [
      '   8       0 sda 100 0 10 0 50 0 20 0 0 0 0',
      '   8       1 sda1 90 0 8 0 40 0 16 0 0 0 0',
      ' 259       0 nvme0n1 10 0 4 0 5 0 2 0 0 0 0',
      ' 259       1 nvme0n1p1 10 0 4 0 5 0 2 0 0 0 0',
      '   7       0 loop0 1 0 1000 0 0 0 0 0 0 0 0',
      ' 253       0 dm-0 1 0 1000 0 0 0 1000 0 0 0 0',
    ].join('\n');
    expect(parseDiskstats(text)).toEqual({ read: (10 + 4) * 512, written: (20 + 2) * 512 });
  });
});
