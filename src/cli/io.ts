// Where a command's output goes: the process's stdout/stderr, or buffers when the running
// server runs the command for a client of its control socket. Commands never call
// console.log; they print through an Io, so the same code serves both.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** The whole of stdin, less one trailing newline (read once, then remembered). */
  stdin(): Promise<string>;
}

const line = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);

export function processIo(): Io {
  let input: Promise<string> | undefined;
  return {
    out: (t) => void process.stdout.write(line(t)),
    err: (t) => void process.stderr.write(line(t)),
    stdin: () =>
      (input ??= (async () => {
        if (process.stdin.isTTY) process.stderr.write('Type it, then press Enter and Ctrl-D.\n');
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
      })()),
  };
}

export interface BufferIo extends Io {
  readonly stdout: string;
  readonly stderr: string;
}

export function bufferIo(input = ''): BufferIo {
  let stdout = '';
  let stderr = '';
  return {
    out: (t) => void (stdout += line(t)),
    err: (t) => void (stderr += line(t)),
    stdin: async () => input,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}
