/**
 * `<name>` tokens in each argv element are replaced by the matched value of that pattern. The
 * values were validated by the detector (IPs are canonical addresses or prefixes), and the
 * result is an argv element, never shell text: a value cannot add arguments or run anything.
 */
export function substitute (argv: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return argv.map(arg => arg.replace(/<([A-Za-z_][A-Za-z0-9_-]*)>/g, (whole, name: string) => values[name] ?? whole))
}
