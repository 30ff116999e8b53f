/** One variable of a matrix and its values. */
export interface MatrixAxis {
  readonly name: string;
  readonly values: readonly string[];
}

/** One combination of matrix values, in axis order. */
export type MatrixCell = readonly { readonly name: string; readonly value: string }[];

/** Every combination of the axes' values (cartesian product), first axis varying slowest. */
export function expandMatrix(axes: readonly MatrixAxis[]): MatrixCell[] {
  let cells: MatrixCell[] = [[]];
  for (const axis of axes) {
    cells = cells.flatMap((cell) => axis.values.map((value) => [...cell, { name: axis.name, value }]));
  }
  return cells;
}

/** The name of one matrix job run: `test [node=18, os=linux]`; the entry name when there is no matrix. */
export function cellName(entry: string, cell: MatrixCell): string {
  return cell.length === 0 ? entry : `${entry} [${cell.map((v) => `${v.name}=${v.value}`).join(', ')}]`;
}
