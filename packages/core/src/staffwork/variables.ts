// Canned-response variables: `{customer.name}` and friends, filled in from the thread at hand.

export const CANNED_VARIABLES = ['customer.name', 'customer.handle', 'agent.name', 'thread.title', 'category.name'] as const;
export type CannedVariable = (typeof CANNED_VARIABLES)[number];

// A variable is a dotted lower-case name in braces; other braces (code, JSON) are left alone.
const VARIABLE = /\{([a-z]+(?:\.[a-z_]+)+)\}/g;

/** The variables a template uses that we do not know, in order, once each. */
export function unknownVariables(template: string): string[] {
  const known = new Set<string>(CANNED_VARIABLES);
  const unknown: string[] = [];
  for (const [, name] of template.matchAll(VARIABLE)) {
    if (!known.has(name) && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}

/** Fills each known variable; one pass, so a value that looks like a variable stays as written. */
export function fillVariables(template: string, values: Record<CannedVariable, string>): string {
  return template.replace(VARIABLE, (whole, name: string) => (name in values ? values[name as CannedVariable] : whole));
}
