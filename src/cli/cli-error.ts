// The error a CLI subcommand throws to stop with one line on stderr and a chosen exit code:
// 2 for usage errors (bad flags, missing arguments), 1 for everything else that went wrong.
// Never carries a secret in its message.

export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}
