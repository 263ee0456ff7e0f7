/** An error the user caused and can fix: printed as one line, no stack, exit status 2. */
export class UsageError extends Error {}
