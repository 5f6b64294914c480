import { createInterface } from 'node:readline';
import { type Readable, Writable } from 'node:stream';

/** Where the CLI reads a new password from: the terminal (prompted, no echo) or the first line of stdin. */
export interface PasswordInput {
  readonly stdin: Readable & { readonly isTTY?: boolean };
  /** Prompts and newlines go here (stderr), never to stdout. */
  readonly prompt: (text: string) => void;
}

/** Why no password could be read; the message says what to do instead. */
export class PasswordInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordInputError';
  }
}

/**
 * Reads a new password: on a terminal, asked twice without echo and compared; otherwise the first line of stdin
 * (for scripts: `printf '%s\n' "$PW" | gatehouse local-user add ...`). Never from an argument or the environment: both
 * end up in shell history, process listings or crash reports.
 */
export async function readNewPassword(input: PasswordInput): Promise<string> {
  if (input.stdin.isTTY) {
    const first = await promptHidden(input, 'New password: ');
    const second = await promptHidden(input, 'Repeat the password: ');
    if (first !== second) throw new PasswordInputError('the two passwords differ; nothing was changed');
    return first;
  }
  const line = await firstLine(input.stdin);
  if (line === undefined || line === '') {
    throw new PasswordInputError(
      'no password on stdin: run it in a terminal to be asked, or pipe the password as the first line of stdin ' +
        '(it is never taken from an argument or an environment variable)',
    );
  }
  return line;
}

async function firstLine(stdin: Readable): Promise<string | undefined> {
  const lines = createInterface({ input: stdin, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

/** One line from the terminal with echo off (readline writes what is typed to a sink instead of the screen). */
function promptHidden(input: PasswordInput, question: string): Promise<string> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  // The terminal is in raw mode (no echo) from here, before the prompt invites typing.
  const rl = createInterface({ input: input.stdin, output: sink, terminal: true });
  input.prompt(question);
  return new Promise<string>((resolve, reject) => {
    rl.on('SIGINT', () => reject(new PasswordInputError('cancelled; nothing was changed')));
    rl.question('', resolve);
  }).finally(() => {
    rl.close();
    input.prompt('\n');
  });
}
