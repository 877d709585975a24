// Control characters in input lines, which kaniko's arguments must not carry.

/** Tells whether `text` contains a control character (U+0000 to U+001F, U+007F) other than a tab. */
export function hasControlCharacter(text: string): boolean {
  for (const character of text) {
    const code = character.charCodeAt(0);
    if ((code < 0x20 && character !== '\t') || code === 0x7f) return true;
  }
  return false;
}
