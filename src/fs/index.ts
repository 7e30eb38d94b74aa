/**
 * (not yet implemented)
 *
 * @module fs
 */
export {};
