/** Plain-text tables for the bench's human-readable output. */

export type Cell = string | number | null;

/** A title line, then the header and rows with columns padded to width; numbers right-aligned. */
export function formatTable(title: string, header: string[], rows: Cell[][]): string {
  const text = (cell: Cell) => (cell === null ? '-' : typeof cell === 'number' ? cell.toLocaleString('en-US') : cell);
  const cells = [header, ...rows.map((row) => row.map(text))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] !== 'string'));
  const line = (row: string[]) => row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [title, line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}
