/**
 * Reads JSON with comments and trailing commas (JSONC), the format of VS Code's settings and mcp.json files.
 * Comments and trailing commas are blanked out (replaced by spaces, so positions in JSON.parse errors still point
 * at the right place in the original text) and the rest goes to JSON.parse.
 */
export interface JsoncDocument {
  value: unknown;
  /** The text had comments; they cannot survive a rewrite through JSON.stringify. */
  hadComments: boolean;
}

/** A JSONC text that does not parse, with the 1-based position when V8 gives one. Carries no text from the file. */
export class JsoncSyntaxError extends Error {
  constructor(readonly position?: { line: number; column: number }) {
    super(position ? `not valid JSON (line ${position.line}, column ${position.column})` : 'not valid JSON');
    this.name = 'JsoncSyntaxError';
  }
}

export function parseJsonc(text: string): JsoncDocument {
  const { json, hadComments } = blankCommentsAndTrailingCommas(text.replace(/^\uFEFF/, ''));
  try {
    return { value: JSON.parse(json), hadComments };
  } catch (err) {
    // Some V8 messages quote the surrounding text, which may be a secret in an env block: keep only the position.
    const message = err instanceof Error ? err.message : '';
    const position = /at position (\d+)/.exec(message);
    if (position) throw new JsoncSyntaxError(lineAndColumn(json, Number(position[1])));
    throw new JsoncSyntaxError(/end of JSON input/.test(message) ? lineAndColumn(json, json.length) : undefined);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function blankCommentsAndTrailingCommas(text: string): { json: string; hadComments: boolean } {
  const out = text.split('');
  let hadComments = false;
  let pendingComma = -1; // index of the last comma seen outside strings, until something other than space follows
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      pendingComma = -1;
      i = endOfString(text, i);
    } else if (c === '/' && text[i + 1] === '/') {
      hadComments = true;
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      hadComments = true;
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else {
      if ((c === '}' || c === ']') && pendingComma !== -1) out[pendingComma] = ' ';
      if (!/\s/.test(c)) pendingComma = c === ',' ? i : -1;
      i++;
    }
  }
  return { json: out.join(''), hadComments };
}

/** Index just past the closing quote of the string starting at `start` (or the end of the text if unterminated). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === '"') return i + 1;
    else i++;
  }
  return i;
}
