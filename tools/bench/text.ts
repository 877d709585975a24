// Lines of source code and of service logs for the generated contexts: varied enough that gzip
// compresses them about as well as real code and logs, not as well as repeated or zero bytes.
import type { SeededRandom } from '../reliability/random';

/** Returns the next line, without its line break. */
export type LineSource = () => string;

const WORDS = [
  'account', 'batch', 'buffer', 'cache', 'client', 'config', 'context', 'count', 'cursor', 'event', 'field', 'filter',
  'handler', 'index', 'item', 'job', 'key', 'limit', 'list', 'message', 'offset', 'order', 'page', 'payload', 'query',
  'record', 'request', 'result', 'retry', 'session', 'state', 'status', 'stream', 'task', 'token', 'user', 'value', 'worker',
];
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 200, 200, 200, 201, 204, 304, 400, 404, 500];

/** Lines of TypeScript-like code with indentation, calls, conditions and comments. */
export function sourceLines(random: SeededRandom): LineSource {
  const word = (): string => random.pick(WORDS);
  const name = (): string => {
    const second = word();
    return `${word()}${second[0].toUpperCase()}${second.slice(1)}`;
  };
  return () => {
    const indent = '  '.repeat(random.int(0, 3));
    switch (random.int(0, 6)) {
      case 0: return `${indent}const ${name()} = ${name()}(${name()}, ${random.int(0, 999)});`;
      case 1: return `${indent}if (${name()}.${word()} > ${random.int(0, 64)}) {`;
      case 2: return `${indent}return ${name()}.${word()}('${word()}-${word()}');`;
      case 3: return `${indent}// ${Array.from({ length: random.int(3, 9) }, word).join(' ')}`;
      case 4: return `${indent}}`;
      case 5: return `export async function ${name()}(${word()}: ${random.pick(['string', 'number', 'Buffer'])}): Promise<void> {`;
      default: return `${indent}${name()}.${word()} = await ${name()}.${word()}(${random.int(0, 99)});`;
    }
  };
}

/** Lines of a service's request log, with increasing timestamps and random request ids. */
export function logLines(random: SeededRandom): LineSource {
  let time = Date.UTC(2026, 0, 5, 8, 0, 0) + random.int(0, 86_400_000);
  return () => {
    time += random.int(0, 40);
    const id = random.int(0, 0xffffffff).toString(16).padStart(8, '0');
    const path = `/api/${random.pick(WORDS)}s/${random.int(1, 99_999)}`;
    return `${new Date(time).toISOString()} ${random.pick(LEVELS).padEnd(5)} [worker-${random.int(1, 16)}] request=${id} `
      + `${random.pick(METHODS)} ${path} ${random.pick(STATUSES)} ${random.int(1, 2500)}ms`;
  };
}
