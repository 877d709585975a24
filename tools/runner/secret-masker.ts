// Masks secrets in log lines as `***`, the way the agent's secret masker does
// (HostContext.cs and AdditionalMaskingRegexes.cs in microsoft/azure-pipelines-agent). Every
// registered value is also masked in its JSON-string and URI-data encodings. The password in
// a URL's user information is masked whether or not it was registered. NOTE: the agent also masks a backslash-escaped encoding
// whose rules live in a closed Microsoft package, so this masker leaves that one out.

const MASK = '***';

// The password part of `scheme://user:password@host`.
const URL_PASSWORD = /(?<=\/\/[^:/?#\n]+:)(?:[\w.~-]|%(?:AZP25)?[0-9a-fA-F]{2}|[!$&'()*+,;=]|:)+(?=@)/g;

/** Encodes like .NET's Uri.EscapeDataString: everything but RFC 3986 unreserved characters. */
function escapeUriData(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function escapeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export class SecretMasker {
  private readonly values = new Set<string>();

  /** Registers a secret value and its encodings. Empty values are ignored, as by the agent. */
  add(value: string): void {
    if (!value) return;
    for (const form of [value, escapeJsonString(value), escapeUriData(value)]) {
      if (form) this.values.add(form);
    }
  }

  /** Returns the line with every registered value and URL password replaced by `***`. */
  mask(line: string): string {
    const ranges: Array<[number, number]> = [];
    for (const value of this.values) {
      for (let at = line.indexOf(value); at >= 0; at = line.indexOf(value, at + 1)) {
        ranges.push([at, at + value.length]);
      }
    }
    for (const match of line.matchAll(URL_PASSWORD)) {
      ranges.push([match.index, match.index + match[0].length]);
    }
    if (ranges.length === 0) return line;
    return replaceRanges(line, mergeRanges(ranges));
  }
}

// Overlapping or touching matches become one `***`, so no part of either secret shows.
function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) {
      last[1] = Math.max(last[1], end);
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}

function replaceRanges(line: string, ranges: Array<[number, number]>): string {
  let masked = '';
  let position = 0;
  for (const [start, end] of ranges) {
    masked += line.substring(position, start) + MASK;
    position = end;
  }
  return masked + line.substring(position);
}
