/**
 * (not yet implemented)
 *
 * @module remote
 */
export {};
