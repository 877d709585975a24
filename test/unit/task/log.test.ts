// neutralizeLine: build output must not be able to issue agent commands.
// Test names and failure messages never print a raw command, because the agent would run it
// when these tests run in a pipeline.
import { strict as assert } from 'node:assert';
import { neutralizeLine } from '../../../tasks/KanikoBuildV1/src/log';

/** Tells whether the agent would act on the line: `##vso[` anywhere in any case, or `##[`. */
function isAgentCommand(line: string): boolean {
  return /##vso\[/i.test(line) || line.includes('##[');
}

/** Shows a line in a failure message with its `#` signs and control characters escaped. */
function shown(line: string): string {
  return JSON.stringify(line.replace(/#/g, '<hash>'));
}

describe('log: neutralizeLine', () => {
  const commands = [
    { name: 'setvariable at line start', line: '##vso[task.setvariable variable=imageDigest]sha256:evil' },
    { name: 'setvariable inside a line', line: 'Step 3/5 : RUN echo ##vso[task.setvariable variable=x;isOutput=true]y' },
    { name: 'upper-case complete', line: '##VSO[task.complete result=Succeeded;]done' },
    { name: 'mixed-case uploadfile', line: '##vSo[task.uploadfile]/etc/passwd' },
    { name: 'error format', line: '##[error]fake error' },
    { name: 'upper-case error format', line: '##[ERROR]fake error' },
    { name: 'group format', line: '##[group]fake group' },
    { name: 'indented section format', line: '  ##[section]indented' },
    { name: 'warning format inside a line', line: 'text ##[warning]inside' },
    { name: 'several commands', line: 'a ##vso[x] b ##vso[y] c ##[z]' },
    { name: 'three hashes', line: '###vso[task.debug]three hashes' },
    { name: 'carriage return after hashes', line: '##\rvso[task.setvariable variable=x]hidden' },
    { name: 'carriage return between hashes', line: '#\r#vso[task.setvariable variable=x]split' },
    { name: 'carriage return in format', line: '##[\rerror]split' },
  ];
  for (const { name, line } of commands) {
    it(`disarms ${name}`, () => {
      const safe = neutralizeLine(line);

      assert.ok(!isAgentCommand(safe), shown(safe));
      assert.ok(!safe.includes('\r'), shown(safe));
      const unchanged = safe.replace(/\u200b/g, '') === line.replace(/\r/g, '');
      assert.ok(unchanged, `more than zero-width spaces changed: ${shown(safe)}`);
    });
  }

  const ordinary = [
    { name: 'empty line', line: '' },
    { name: 'kaniko info line', line: 'INFO[0001] Retrieving image manifest alpine:3.20' },
    { name: 'hash signs and brackets', line: 'Step #1: # comment with # signs and [brackets]' },
    { name: 'one hash before vso', line: '#vso[not a command]' },
    { name: 'markdown heading', line: '## heading [link](x)' },
    { name: 'vso without hashes', line: 'vso[task.setvariable] without hashes' },
    { name: 'non-ASCII text', line: 'ünïcode ✓ 語' },
  ];
  for (const { name, line } of ordinary) {
    it(`keeps ${name}`, () => {
      assert.equal(neutralizeLine(line), line);
    });
  }

  it('drops carriage returns of progress bars', () => {
    assert.equal(neutralizeLine('10%\r50%\r100%\r'), '10%50%100%');
    assert.equal(neutralizeLine('line\r'), 'line');
  });
});
