/** The Terraform providers the constructs create resources of, as constructs/README.md names them. */
export const PROVIDER_NAMES = ['azuread', 'azurerm', 'random', 'time'] as const;

export interface ProviderRow {
  /** Providers a stack needs for the construct at its defaults. */
  readonly defaults: readonly string[];
  /** Providers some of its props or methods add. */
  readonly added: readonly string[];
}

/** The provider names in backticks in a table cell; anything else in backticks there is a mistake in the table. */
function providersIn(cell: string, where: string): string[] {
  const names = [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
  const unknown = names.filter((name) => !(PROVIDER_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} is not one of ${PROVIDER_NAMES.join(', ')}`);
  return names.sort();
}

/**
 * The README's table of providers per construct (the one headed `| construct | at its defaults | ...`): construct
 * name -> providers at its defaults and providers its props or methods add.
 */
export function providerTable(readme: string): Map<string, ProviderRow> {
  const lines = readme.split('\n');
  const header = lines.findIndex((line) => /^\| construct \| at its defaults \|/.test(line));
  if (header === -1) throw new Error('the README has no table headed "| construct | at its defaults |"');
  const rows = new Map<string, ProviderRow>();
  // The rows follow the header and its |---| line, up to the first line that is not a table row.
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1);
    const construct = /^\s*`(\w+)`\s*$/.exec(cells[0] ?? '')?.[1];
    if (construct === undefined || cells.length !== 3) throw new Error(`not a row of the providers table: ${line}`);
    rows.set(construct, {
      defaults: providersIn(cells[1] ?? '', `${construct}, at its defaults`),
      added: providersIn(cells[2] ?? '', `${construct}, props or methods that add providers`),
    });
  }
  return rows;
}

/** The providers a synthesized stack's resources and data sources belong to (`azurerm_key_vault` -> `azurerm`). */
export function providersUsed(json: { resource?: object; data?: object }): string[] {
  const types = [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {})];
  return [...new Set(types.map((type) => type.split('_')[0] as string))].sort();
}
