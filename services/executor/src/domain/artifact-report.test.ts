import { describe, expect, it } from 'vitest';
import { EVENT_MAX_FILES, LISTED_FILES, filesForEvent, restoredLine, saveLines } from './artifact-report.js';

describe('saveLines', () => {
  it('warns about unmatched patterns, notes skipped paths, lists files and sums up', () => {
    expect(
      saveLines({
        files: [
          { path: 'dist/a.js', sizeBytes: 10 },
          { path: 'report.txt', sizeBytes: 5 },
        ],
        unmatched: ['coverage/'],
        skipped: [{ path: 'dist/leak', reason: 'symbolic link pointing outside the work folder' }],
      }),
    ).toEqual([
      'warning: artifact pattern "coverage/" matched no file',
      'artifact dist/leak not saved: symbolic link pointing outside the work folder',
      'saved artifact dist/a.js (10 bytes)',
      'saved artifact report.txt (5 bytes)',
      'saved 2 artifact files, 15 bytes in all',
    ]);
  });

  it('names at most LISTED_FILES files', () => {
    const files = Array.from({ length: LISTED_FILES + 3 }, (_, i) => ({ path: `f${i}`, sizeBytes: 1 }));
    const lines = saveLines({ files, unmatched: [], skipped: [] });
    expect(lines).toHaveLength(LISTED_FILES + 2);
    expect(lines.at(-2)).toBe('… and 3 more');
    expect(lines.at(-1)).toBe(`saved ${LISTED_FILES + 3} artifact files, ${LISTED_FILES + 3} bytes in all`);
  });
});

describe('restoredLine', () => {
  it('counts files', () => {
    expect(restoredLine(2, 'build')).toBe('restored 2 artifact files from build');
    expect(restoredLine(1, 'build')).toBe('restored 1 artifact file from build');
  });
});

describe('filesForEvent', () => {
  it('lists every file when within limits', () => {
    const files = [{ path: 'a', sizeBytes: 1 }];
    expect(filesForEvent(files)).toEqual({ listed: files, cut: false });
  });

  it('lists the first EVENT_MAX_FILES files of a larger save', () => {
    const files = Array.from({ length: EVENT_MAX_FILES + 1 }, (_, i) => ({ path: `f${i}`, sizeBytes: 1 }));
    const { listed, cut } = filesForEvent(files);
    expect(listed).toHaveLength(EVENT_MAX_FILES);
    expect(cut).toBe(true);
  });

  it('stops before the paths get too long for one message', () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ path: `${i}`.padEnd(40 * 1024, 'x'), sizeBytes: 1 }));
    expect(filesForEvent(files).listed).toHaveLength(3);
  });
});
