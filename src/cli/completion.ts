// `keymint completion bash|zsh`: a completion script made from the command tree itself, so
// every command, subcommand and option added later completes without touching this file.
// Install: `source <(keymint completion bash)` (or zsh), e.g. in ~/.bashrc or ~/.zshrc.
import { Argument, type Command } from 'commander';
import type { CliContext } from './context.js';

const names = (cmds: readonly Command[]) => cmds.map((c) => c.name()).filter((n) => n !== 'help');
const flags = (cmd: Command) => [...cmd.options.map((o) => o.long ?? o.short ?? ''), '--help'].filter(Boolean);

export function bashScript(program: Command): string {
  const cases: string[] = [];
  for (const cmd of program.commands) {
    const subs = names(cmd.commands);
    if (subs.length) {
      cases.push(`    "${cmd.name()}") words="${subs.join(' ')}" ;;`);
      for (const sub of cmd.commands) cases.push(`    "${cmd.name()} ${sub.name()}") words="${flags(sub).join(' ')}" ;;`);
    } else {
      cases.push(`    "${cmd.name()}"|"${cmd.name()} "*) words="${flags(cmd).join(' ')}" ;;`);
    }
  }
  return `# bash completion for keymint: source <(keymint completion bash)
_keymint() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words=""
  if [ "$COMP_CWORD" -ge 2 ]; then path="\${COMP_WORDS[1]}"; fi
  if [ "$COMP_CWORD" -ge 3 ]; then path="\${COMP_WORDS[1]} \${COMP_WORDS[2]}"; fi
  case "$path" in
    "") words="${names(program.commands).join(' ')} --version --help" ;;
${cases.join('\n')}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _keymint keymint
`;
}

// zsh runs the bash function through its bashcompinit layer.
export const zshScript = (program: Command) => `# zsh completion for keymint: source <(keymint completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(keymint completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => ctx.io.out(shell === 'bash' ? bashScript(program) : zshScript(program)));
}
