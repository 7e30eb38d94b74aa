/** Where a path of the parsed data was written in the file. */
export interface TextPosition {
  readonly line: number;
  readonly column?: number;
}

/** Inventory data parsed from text, with a way back from a data path to its place in the text. */
export interface ParsedInventoryText {
  readonly data: unknown;
  readonly locate: (path: readonly PropertyKey[]) => TextPosition | undefined;
}
