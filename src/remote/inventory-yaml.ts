import { isNode, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors/index.js';
import type { ParsedInventoryText, TextPosition } from './inventory-text.js';

/**
 * Parses YAML inventory text. Syntax errors and duplicate keys are `SRE_CONFIG_INVALID` with
 * line and column; merge keys (`<<: *defaults`) are understood; alias expansion is capped
 * (no "billion laughs").
 */
export function parseYamlInventory(text: string, source: string): ParsedInventoryText {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: true });
  const [error] = document.errors;
  if (error !== undefined) {
    const position = error.linePos?.[0];
    const reason = error.message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const where = position === undefined ? '' : `:${position.line}:${position.col}`;
    throw new ConfigError('SRE_CONFIG_INVALID', `${source}${where}: not valid YAML: ${reason}`, {
      cause: error,
      details: { source, ...(position === undefined ? {} : { line: position.line, column: position.col }) },
    });
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new ConfigError('SRE_CONFIG_INVALID', `${source}: not valid YAML: ${(cause as Error).message}`, {
      cause,
      details: { source },
    });
  }
  const listAtTop = Array.isArray(data);
  const locate = (path: readonly PropertyKey[]): TextPosition | undefined => {
    // A bare list of hosts is read as `{ hosts: [...] }`: its paths start one level lower.
    const inFile = listAtTop && path[0] === 'hosts' ? path.slice(1) : path;
    for (let length = inFile.length; length >= 0; length--) {
      const node = document.getIn(inFile.slice(0, length) as unknown[], true);
      if (isNode(node) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return undefined;
  };
  return { data, locate };
}
