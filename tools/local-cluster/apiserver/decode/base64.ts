// Strict base64 checking with the error offsets of Go's encoding/base64 StdEncoding, which
// the API server uses for []byte fields such as Secret data. Node's decoder accepts almost
// anything, so it cannot tell a client that its data is not base64.

const ALPHABET = /[A-Za-z0-9+/]/;

function isNewline(character: string | undefined): boolean {
  return character === '\r' || character === '\n';
}

/**
 * Returns the byte offset that Go reports as `illegal base64 data at input byte N`, or
 * undefined when the text is valid padded base64. Newlines are skipped, as Go does.
 */
export function base64ErrorOffset(text: string): number | undefined {
  let position = 0;
  for (;;) {
    let filled = 0;
    while (filled < 4) {
      if (position === text.length) return filled === 0 ? undefined : position - filled;
      const character = text[position];
      position += 1;
      if (isNewline(character)) continue;
      if (ALPHABET.test(character)) {
        filled += 1;
        continue;
      }
      if (character !== '=') return position - 1;
      return paddingErrorOffset(text, position, filled);
    }
  }
}

/** Checks what follows a '=' that arrived after `filled` characters of a quantum. */
function paddingErrorOffset(text: string, afterPad: number, filled: number): number | undefined {
  if (filled < 2) return afterPad - 1;
  let position = afterPad;
  if (filled === 2) {
    while (isNewline(text[position])) position += 1;
    if (position === text.length) return text.length;
    if (text[position] !== '=') return position - 1;
    position += 1;
  }
  while (isNewline(text[position])) position += 1;
  return position < text.length ? position : undefined;
}
