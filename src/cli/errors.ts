// A command's failure for its user: printed as `keymint: <message>`, never with a stack.
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
