import { out } from './context.ts'
import { allCommands, type CommandNode } from './program-tree.ts'

/** `palisade completion bash|zsh|fish`: a script generated from the command table's commands and flags. */
export function commandCompletion (root: CommandNode, shell: string): void {
  out(shell === 'fish' ? fishScript(root) : shell === 'zsh' ? zshScript(root) : bashScript(root))
}

const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`

function words (c: CommandNode): string[] {
  const flags = c.options.flatMap(o => [o.long, o.short].filter((x): x is string => x !== undefined))
  return [...c.commands.map(s => s.name), ...flags, '--help']
}

/** bash: walks the words typed so far (skipping global options and their values) to the command reached */
export function bashScript (root: CommandNode): string {
  const cmds = allCommands(root)
  const valueFlags = new Set(
    [root, ...cmds].flatMap(c => c.options.filter(o => o.takesValue).flatMap(o => [o.long, o.short].filter(Boolean)))
  )
  const fileFlags = ['-c', '--config', '-s', '--socket']
  // per command: two commands may give one flag different choices (feed --format, show --format)
  const choices = [root, ...cmds].flatMap(c => c.options.filter(o => o.choices !== undefined).map(o =>
    `    ${[o.long, o.short].filter(Boolean).map(f => `"${c.path.map(p => ' ' + p).join('')} ${f}"`).join('|')}) COMPREPLY=( $(compgen -W ${q(o.choices!.join(' '))} -- "$cur") ); return ;;`))
  const paths = cmds.map(c => `" ${c.path.join(' ')}"`).join('|')
  const cases = [root, ...cmds].map(c => {
    const argChoices = c.args.flatMap(a => a.choices ?? [])
    const files = c.commands.length === 0 && c.args.length > 0 && argChoices.length === 0 ? ' files=1' : ''
    return `    "${c.path.length === 0 ? '' : ' ' + c.path.join(' ')}") w=${q([...words(c), ...argChoices].join(' '))};${files} ;;`
  })
  return `# palisade bash completion (generated from the program): source this, or save as /etc/bash_completion.d/palisade
_palisade() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path="" i word w="" files=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    case "$word" in
      ${[...valueFlags].join('|')}) ((i++)); continue ;;
      -*) continue ;;
    esac
    case "$path $word" in
      ${paths}) path="$path $word" ;;
    esac
  done
  case "$prev" in
    ${fileFlags.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  case "$path $prev" in
${choices.join('\n')}
  esac
  case "$path" in
${cases.join('\n')}
  esac
  COMPREPLY=( $(compgen -W "$w" -- "$cur") )
  if [ "$files" = 1 ] && [[ "$cur" != -* ]]; then COMPREPLY+=( $(compgen -f -- "$cur") ); fi
}
complete -F _palisade palisade`
}

/** zsh runs the bash function through bashcompinit: one implementation, the same answers */
function zshScript (root: CommandNode): string {
  return `#compdef palisade
# palisade zsh completion (generated from the program): save as _palisade in a directory of your $fpath
autoload -U +X bashcompinit && bashcompinit
${bashScript(root).split('\n').slice(1).join('\n')}`
}

/**
 * fish: the command reached is worked out as bash does (global options and their values skipped),
 * since fish's own `__fish_use_subcommand` takes the FILE of `-c FILE` for a command
 */
export function fishScript (root: CommandNode): string {
  const cmds = allCommands(root)
  const flag = (o: CommandNode['options'][number]): string =>
    `${o.short !== undefined ? ` -s ${o.short.slice(1)}` : ''}${o.long !== undefined ? ` -l ${o.long.slice(2)}` : ''}`
  const valueFlags = [...new Set([root, ...cmds].flatMap(c =>
    c.options.filter(o => o.takesValue).flatMap(o => [o.long, o.short].filter((x): x is string => x !== undefined))))]
  const lines = [
    '# palisade fish completion (generated from the command table): save as ~/.config/fish/completions/palisade.fish',
    'function __palisade_path',
    '  set -l path \'\'',
    '  set -l skip 0',
    '  for t in (commandline -opc)[2..-1]',
    '    if test $skip = 1; set skip 0; continue; end',
    `    if contains -- $t ${valueFlags.join(' ')}; set skip 1; continue; end`,
    "    if string match -q -- '-*' $t; continue; end",
    `    if contains -- "$path $t" ${cmds.map(c => q(' ' + c.path.join(' '))).join(' ')}; set path "$path $t"; end`,
    '  end',
    '  echo $path',
    'end',
    'function __palisade_at; set -l p (__palisade_path); test "$p" = "$argv[1]"; end'
  ]
  for (const o of root.options) lines.push(`complete -c palisade${flag(o)}${o.takesValue ? ' -r' : ''} -d ${q(o.description)}`)
  for (const c of [root, ...cmds]) {
    const cond = q(`__palisade_at "${c.path.map(p => ' ' + p).join('')}"`)
    for (const s of c.commands) lines.push(`complete -c palisade -f -n ${cond} -a ${s.name} -d ${q(s.description)}`)
    const argChoices = c.args.flatMap(a => a.choices ?? [])
    if (argChoices.length > 0) lines.push(`complete -c palisade -f -n ${cond} -a ${q(argChoices.join(' '))}`)
    if (c.path.length === 0) continue
    for (const o of c.options) {
      const values = o.choices !== undefined ? ` -xa ${q(o.choices.join(' '))}` : o.takesValue ? ' -r' : ''
      lines.push(`complete -c palisade -n ${cond}${flag(o)}${values} -d ${q(o.description)}`)
    }
  }
  return lines.join('\n')
}
