import { allCommands, usageOf, type CommandNode } from './program-tree.ts'

/**
 * palisade(1) in man(7) markup, generated from the program (`npm run man` writes docs/palisade.1;
 * a test keeps the committed page in step with the commands).
 */
export function manPage (root: CommandNode, version: string): string {
  const esc = (s: string): string => s.replaceAll('\\', '\\e').replaceAll('-', '\\-').replace(/^([.'])/gm, '\\&$1')
  const lines = [
    `.TH PALISADE 1 "" "palisade ${esc(version)}" "User Commands"`,
    '.SH NAME',
    `palisade \\- ${esc(root.description)}`,
    '.SH SYNOPSIS',
    '.B palisade',
    '[\\fB\\-c\\fR \\fIFILE\\fR] [\\fB\\-s\\fR \\fISOCKET\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]',
    '.SH GLOBAL OPTIONS'
  ]
  for (const o of root.options) lines.push('.TP', `.B ${esc(o.flags)}`, esc(o.description))
  lines.push('.SH COMMANDS')
  for (const c of allCommands(root)) {
    if (c.commands.length > 0 && c.args.length === 0 && c.options.length === 0) continue
    lines.push('.TP', `.B ${esc(usageOf(c))}`, esc(c.description))
    for (const a of c.args) if (a.description !== '') lines.push('.RS', `.IP \\fI${esc(a.name)}\\fR`, esc(a.description + (a.choices !== undefined ? ` (${a.choices.join(', ')})` : '')), '.RE')
    for (const o of c.options) lines.push('.RS', `.IP \\fB${esc(o.flags)}\\fR`, esc(o.description + (o.choices !== undefined ? ` (${o.choices.join(', ')})` : '')), '.RE')
  }
  lines.push(
    '.SH EXIT STATUS',
    '0 on success; 1 on failure, with a one\\-line reason on standard error (test\\-config prints every configuration error, one a line).',
    '.SH ENVIRONMENT',
    '.TP', '.B PALISADE_SOCKET', 'the control socket, when \\fB\\-s\\fR is not given',
    '.TP', '.B PALISADE_CONFIG', 'the configuration, when \\fB\\-c\\fR is not given (default /etc/palisade/palisade.yml)',
    '.SH FILES',
    '.TP', '.I /etc/palisade/palisade.yml', 'the configuration (YAML, JSON or Jsonnet; or a directory of them)',
    '.TP', '.I /var/lib/palisade', 'state: bans, counters, checkpoints, the identity key',
    '.TP', '.I /run/palisade/palisade.sock', 'the control socket (mode 0600)',
    '.SH SEE ALSO',
    'README.md, docs/configuration.md, docs/presets.md, docs/errors.md, SECURITY.md in the source tree; nft(8), fail2ban(1)'
  )
  return lines.join('\n') + '\n'
}
