/**
 * Wraps a command's action so that any error ends the CLI with one line on stderr and exit code 1;
 * the stack appears only with `--verbose`.
 */
export function commandAction<Options>(action: (opts: Options) => Promise<void>): (opts: Options & { verbose?: boolean }) => Promise<void> {
  return async (opts) => {
    try {
      await action(opts);
    } catch (err) {
      const e = err as Error;
      process.stderr.write(`a3c: ${opts.verbose ? (e.stack ?? e.message) : e.message}\n`);
      process.exitCode = 1;
    }
  };
}
