// Parses `##vso[area.event key=value;...]data` logging commands the way the Azure Pipelines
// agent does (Command.TryParse and CommandStringConvertor in microsoft/azure-pipelines-agent).
import type { LoggingCommand } from './types';

const COMMAND_PREFIX = '##vso[';

// The agent's escape table. The agent decodes `%AZP25` to `%` after these, because its
// DECODE_PERCENTS knob defaults to true; task-lib 5 writes `%` as `%AZP25`.
const ESCAPES: ReadonlyArray<[escaped: string, text: string]> = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
];

/** Decodes a property value or the data of a logging command. */
export function unescapeCommandText(escaped: string): string {
  let text = escaped;
  for (const [code, character] of ESCAPES) {
    text = text.split(code).join(character);
  }
  return text.split('%AZP25').join('%');
}

/** Encodes text so that it survives as a property value or as data, the inverse of unescapeCommandText. */
export function escapeCommandText(text: string): string {
  let escaped = text.split('%').join('%AZP25');
  for (const [code, character] of ESCAPES) {
    escaped = escaped.split(character).join(code);
  }
  return escaped;
}

/**
 * Parses the logging command in a line, or returns undefined when the line contains none.
 * Like the agent, it finds the prefix anywhere in the line, so text before `##vso[` is dropped.
 * Area, event and property names are returned in lower case, because the agent matches them
 * case-insensitively.
 */
export function parseLoggingCommand(line: string): LoggingCommand | undefined {
  const prefixIndex = line.indexOf(COMMAND_PREFIX);
  if (prefixIndex < 0) return undefined;
  const bracketIndex = line.indexOf(']', prefixIndex);
  if (bracketIndex < 0) return undefined;

  const info = line.substring(prefixIndex + COMMAND_PREFIX.length, bracketIndex);
  const spaceIndex = info.indexOf(' ');
  const name = spaceIndex < 0 ? info : info.substring(0, spaceIndex);
  const nameParts = name.split('.').filter((part) => part.length > 0);
  if (nameParts.length !== 2) return undefined;

  const properties: Record<string, string> = {};
  if (spaceIndex > 0) {
    for (const property of info.substring(spaceIndex + 1).split(';')) {
      const equalsIndex = property.indexOf('=');
      // The agent drops a property whose key or value is empty.
      if (equalsIndex <= 0 || equalsIndex === property.length - 1) continue;
      const key = property.substring(0, equalsIndex).toLowerCase();
      properties[key] = unescapeCommandText(property.substring(equalsIndex + 1));
    }
  }

  return {
    area: nameParts[0].toLowerCase(),
    event: nameParts[1].toLowerCase(),
    properties,
    data: unescapeCommandText(line.substring(bracketIndex + 1)),
  };
}

/** True when a line mentions `##vso` at all; the agent warns about such lines that do not parse. */
export function mentionsLoggingCommand(line: string): boolean {
  return line.includes('##vso');
}
