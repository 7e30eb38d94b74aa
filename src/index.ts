/**
 * sre-kit: typed, careful building blocks for SRE automation. Every block is also
 * importable on its own (`sre-kit/errors`, `sre-kit/process`…); importing one never loads
 * the dependencies of another.
 *
 * @module sre-kit
 */
export * from './errors/index.js';
export * from './fs/index.js';
export * from './logs/index.js';
export * from './process/index.js';
export * from './remote/index.js';
export * from './secrets/index.js';
