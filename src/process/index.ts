/**
 * Run commands safely: no shell, a deadline that kills the whole process tree, bounded
 * output, and secrets masked wherever the command is shown.
 *
 * @module process
 */
export { type Command, type CommandValue, cmd, formatCommand, quoteArgument } from './command.js';
export { lines } from './lines.js';
export type { RunOptions } from './options.js';
export { type RunBufferOptions, type RunResult, run } from './run.js';
