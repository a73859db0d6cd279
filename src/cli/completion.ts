// `keymint completion bash|zsh`: a completion script made from the command tree itself, so
// every command, subcommand and option added later completes without touching this file.
// Install: `source <(keymint completion bash)` (or zsh), e.g. in ~/.bashrc or ~/.zshrc.
import { Argument, type Command } from 'commander';
import type { CliContext } from './context.js';

const names = (cmds: readonly Command[]) => cmds.map((c) => c.name()).filter((n) => n !== 'help');
const flags = (cmd: Command) => [...cmd.options.map((o) => o.long ?? o.short ?? ''), '--help'].filter(Boolean);

/** The case lines of a command and everything under it: a group completes its subcommands, a leaf its options. */
function cases(cmd: Command, parent: string, out: string[]): number {
  const path = parent ? `${parent} ${cmd.name()}` : cmd.name();
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (!subs.length) {
    // Also once options and arguments follow: `keys get <id> --<TAB>`.
    out.push(`    "${path}"|"${path} "*) words="${flags(cmd).join(' ')}" ;;`);
    return 1;
  }
  out.push(`    "${path}") words="${names(subs).join(' ')}" ;;`);
  return 1 + Math.max(...subs.map((sub) => cases(sub, path, out)));
}

export function bashScript(program: Command): string {
  const lines: string[] = [];
  const depth = Math.max(...program.commands.filter((c) => c.name() !== 'help').map((cmd) => cases(cmd, '', lines)));
  // The path is the words before the cursor, at most as many as the tree is deep (keys public-keys add).
  return `# bash completion for keymint: source <(keymint completion bash)
_keymint() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i
  for ((i = 1; i < COMP_CWORD && i <= ${depth}; i++)); do path="\${path:+\$path }\${COMP_WORDS[i]}"; done
  case "$path" in
    "") words="${names(program.commands).join(' ')} --version --help" ;;
${lines.join('\n')}
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
