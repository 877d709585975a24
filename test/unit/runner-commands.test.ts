import assert from 'node:assert/strict';
import { TaskCommand } from 'azure-pipelines-task-lib/taskcommand';
import { escapeCommandText, parseLoggingCommand, unescapeCommandText } from '../../tools/runner/commands';
import { LineSplitter } from '../../tools/runner/line-splitter';

describe('runner logging command parser', () => {
  it('parses area, event, properties and data', () => {
    const command = parseLoggingCommand('##vso[task.setvariable variable=imageDigest;isOutput=true;]sha256:abc');
    assert.ok(command);
    assert.equal(command.area, 'task');
    assert.equal(command.event, 'setvariable');
    assert.deepEqual(command.properties, { variable: 'imageDigest', isoutput: 'true' });
    assert.equal(command.data, 'sha256:abc');
  });

  it('matches names ignoring case', () => {
    const command = parseLoggingCommand('##vso[Task.SetVariable Variable=x]1');
    assert.equal(command?.area, 'task');
    assert.equal(command?.event, 'setvariable');
    assert.equal(command?.properties.variable, 'x');
  });

  it('finds the prefix anywhere in the line', () => {
    const command = parseLoggingCommand('build output ##vso[task.complete result=Failed;]boom');
    assert.equal(command?.event, 'complete');
    assert.equal(command?.properties.result, 'Failed');
    assert.equal(command?.data, 'boom');
  });

  it('rejects lines that are not commands', () => {
    for (const line of [
      'plain text',
      '##vso[task.setvariable variable=x',
      '##vso[task]data',
      '##vso[a.b.c]data',
      '##[group]Build',
      '##vso []',
    ]) {
      assert.equal(parseLoggingCommand(line), undefined, line);
    }
  });

  it('drops properties without key or value', () => {
    const command = parseLoggingCommand('##vso[task.logissue type=;=warning;source=TaskInternal;;flag]m');
    assert.deepEqual(command?.properties, { source: 'TaskInternal' });
  });

  it('keeps = inside a property value', () => {
    const command = parseLoggingCommand('##vso[task.setvariable variable=a=b]v');
    assert.equal(command?.properties.variable, 'a=b');
  });

  it('unescapes the agent escape codes', () => {
    assert.equal(unescapeCommandText('a%3Bb%0Dc%0Ad%5De%AZP25f'), 'a;b\rc\nd]e%f');
    // %25 is not an escape code of the agent, so it stays as written.
    assert.equal(unescapeCommandText('50%25'), '50%25');
  });

  it('escape and unescape round-trip', () => {
    const text = 'x;y]z%AZP25%0A\r\n%';
    assert.equal(unescapeCommandText(escapeCommandText(text)), text);
  });

  it('reads commands written by task-lib', () => {
    const value = 'multi;part]value with % and\nnewline';
    const line = new TaskCommand('task.setvariable', { variable: 'v;1', issecret: 'false' }, value).toString();
    const command = parseLoggingCommand(line);
    assert.equal(command?.properties.variable, 'v;1');
    assert.equal(command?.properties.issecret, 'false');
    assert.equal(command?.data, value);
  });
});

describe('runner line splitter', () => {
  function split(chunks: string[]): string[] {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    for (const chunk of chunks) splitter.push(chunk);
    splitter.end();
    return lines;
  }

  it('splits on LF, CRLF and CR', () => {
    assert.deepEqual(split(['a\nb\r\nc\rd\n']), ['a', 'b', 'c', 'd']);
  });

  it('joins lines across chunks', () => {
    assert.deepEqual(split(['##vso[task.comp', 'lete result=Succeeded]', '\n']), ['##vso[task.complete result=Succeeded]']);
  });

  it('treats CR LF split across chunks as one break', () => {
    assert.deepEqual(split(['one\r', '\ntwo\r', '\n']), ['one', 'two']);
  });

  it('emits a last line without a break', () => {
    assert.deepEqual(split(['a\nlast']), ['a', 'last']);
    assert.deepEqual(split(['a\r']), ['a']);
  });

  it('keeps empty lines', () => {
    assert.deepEqual(split(['\n\nx\n']), ['', '', 'x']);
  });
});
