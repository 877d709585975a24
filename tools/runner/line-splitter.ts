// Splits a text stream into lines the way .NET's StreamReader.ReadLine does, which the agent
// uses to read task output: `\r\n`, `\n` and a lone `\r` each end a line.

export class LineSplitter {
  private pending = '';

  constructor(private readonly emit: (line: string) => void) {}

  /** Adds a decoded chunk and emits every line it completes. */
  push(chunk: string): void {
    let text = this.pending + chunk;
    this.pending = '';
    // A chunk that ends in `\r` may continue with `\n`, so wait for the next chunk.
    if (text.endsWith('\r')) {
      this.pending = '\r';
      text = text.slice(0, -1);
    }
    const parts = text.split(/\r\n|\r|\n/);
    const last = parts.pop() ?? '';
    for (const line of parts) this.emit(line);
    this.pending = last + this.pending;
  }

  /** Emits the last line when the stream ended without a line break. */
  end(): void {
    const rest = this.pending;
    this.pending = '';
    if (rest === '\r') {
      this.emit('');
    } else if (rest.endsWith('\r')) {
      this.emit(rest.slice(0, -1));
    } else if (rest !== '') {
      this.emit(rest);
    }
  }
}
