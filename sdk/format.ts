/** Plain-text output shared by the CLI, the scripts and the explorer. */
import { formatUnits } from "ethers";

/** What a table cell may hold: printed with `String`, `null` and `undefined` as an empty cell. */
export type TableCell = string | number | bigint | boolean | null | undefined;

/** Prints rows of equal keys as an aligned text table (numbers right-aligned). */
export function printTable(rows: readonly Record<string, TableCell>[], write: (line: string) => void = console.log): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? "")))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  for (const [index, line] of cells.entries()) {
    write(
      line
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join("  ")
        .trimEnd(),
    );
    if (index === 0) write(widths.map((width) => "-".repeat(width)).join("  "));
  }
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** An amount of the payment token (18 decimals) in tokens, exactly: "12.5", "3". */
export function formatTokens(value: bigint): string {
  return formatUnits(value, 18).replace(/\.0$/, "");
}
