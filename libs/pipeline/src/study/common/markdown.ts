/** Small Markdown builders for the report. */

/** A pipe table; cells are escaped so a `|` inside one cannot break the row. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(esc).join(' | ')} |`;
  for (const [i, r] of rows.entries()) {
    if (r.length !== headers.length) {
      throw new Error(`table row ${i} has ${r.length} cells, the header has ${headers.length}`);
    }
  }
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** An image line pointing at the PNG of a figure (the SVG sits beside it). */
export function figureLink(name: string, title: string): string {
  return `![${title}](figures/${name}.png)\n\n<sub>[SVG](figures/${name}.svg)</sub>`;
}

export function section(title: string, ...blocks: (string | null | undefined | false)[]): string {
  return [`## ${title}`, ...blocks.filter((b): b is string => typeof b === 'string' && b !== '')].join(
    '\n\n',
  );
}
