import type { Command } from 'commander'
import { out } from './context.ts'

const COMMANDS = ['start', 'test-config', 'test-regex', 'show', 'ban', 'unban', 'flush', 'trigger', 'feed', 'peer', 'completion']
const PEER = ['id', 'list', 'trust', 'revoke']

/** `palisade completion bash|zsh|fish`: a script to source or install, for commands and subcommands. */
export function commandCompletion (program: Command): void {
  program.command('completion').description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      const script = SCRIPTS[shell]
      if (script === undefined) throw new Error(`no completion for ${JSON.stringify(shell)}: bash, zsh or fish`)
      out(script)
    })
}

const SCRIPTS: Record<string, string> = {
  bash: `# palisade bash completion: source this, or save as /etc/bash_completion.d/palisade
_palisade() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  case "$prev" in
    -c|--config|-s|--socket) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    peer) COMPREPLY=( $(compgen -W "${PEER.join(' ')}" -- "$cur") ); return ;;
    trust) COMPREPLY=( $(compgen -W "add remove" -- "$cur") ); return ;;
    --format) COMPREPLY=( $(compgen -W "txt json nft" -- "$cur") ); return ;;
    completion) COMPREPLY=( $(compgen -W "bash zsh fish" -- "$cur") ); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ] || [[ "$prev" == -* && "$COMP_CWORD" -le 3 ]]; then
    COMPREPLY=( $(compgen -W "${COMMANDS.join(' ')} -c --config -s --socket --help" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -W "--json --help" -- "$cur") )
  fi
}
complete -F _palisade palisade`,
  zsh: `#compdef palisade
# palisade zsh completion: save as _palisade in a directory of your $fpath
_palisade() {
  local -a cmds; cmds=(${COMMANDS.join(' ')})
  _arguments '(-c --config)'{-c,--config}'[configuration]:file:_files' '(-s --socket)'{-s,--socket}'[control socket]:file:_files' \\
    '1:command:->cmd' '*::arg:->args'
  case $state in
    cmd) _describe command cmds ;;
    args) case $words[1] in
      peer) _values subcommand ${PEER.join(' ')} ;;
      feed) _values option --format ;;
      completion) _values shell bash zsh fish ;;
      *) _files ;;
    esac ;;
  esac
}
compdef _palisade palisade`,
  fish: `# palisade fish completion: save as ~/.config/fish/completions/palisade.fish
complete -c palisade -s c -l config -r -d 'configuration file'
complete -c palisade -s s -l socket -r -d 'control socket'
${COMMANDS.map(c => `complete -c palisade -n '__fish_use_subcommand' -a ${c}`).join('\n')}
${PEER.map(c => `complete -c palisade -n '__fish_seen_subcommand_from peer' -a ${c}`).join('\n')}
complete -c palisade -n '__fish_seen_subcommand_from feed' -l format -xa 'txt json nft'
complete -c palisade -n '__fish_seen_subcommand_from completion' -xa 'bash zsh fish'`
}
