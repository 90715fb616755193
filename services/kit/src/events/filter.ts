/** Parses the `attributes.KEY = "VALUE"` form of a Pub/Sub filter; null for any other syntax. */
export function parseAttributeFilter(filter: string): ((attributes: Record<string, string>) => boolean) | null {
  const match = /^\s*attributes\.([A-Za-z0-9_-]+)\s*=\s*"([^"]*)"\s*$/.exec(filter);
  if (!match) return null;
  const key = match[1]!;
  const value = match[2]!;
  return (attributes) => attributes[key] === value;
}

/** The in-process bus understands only the `attributes.KEY = "VALUE"` form and refuses the rest. */
export function attributeFilter(filter: string | undefined): (attributes: Record<string, string>) => boolean {
  if (filter === undefined || filter.trim() === '') return () => true;
  const accepts = parseAttributeFilter(filter);
  if (!accepts) throw new Error(`the in-process bus understands filters of the form attributes.KEY = "VALUE", not ${filter}`);
  return accepts;
}
