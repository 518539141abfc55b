// Failures the CLI reports as one line: usage mistakes (exit 2) and anything else it understood (exit 1).

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** A failure the CLI detects itself (not logged in, a denied login, a directory npm cannot pack). */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message)
  }
}
