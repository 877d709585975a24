import assert from 'node:assert/strict';
import { parseByteCount, parseSleepSeconds } from '../../../../tools/local-cluster/kubelet/executor/shell-numbers';
import { runExecForm, runShellScript } from '../../../../tools/local-cluster/kubelet/executor/shell-script';
import { recordingShell } from './shell-helpers';

const MIB = 1024 * 1024;

describe('emulated shell commands', () => {
  it('parses GNU byte counts', () => {
    const cases: Array<[string, boolean, number | undefined]> = [
      ['100', false, 100],
      ['1b', false, 512],
      ['10K', false, 10 * 1024],
      ['10KiB', false, 10 * 1024],
      ['10kB', false, 10_000],
      ['10KB', false, 10_000],
      ['3M', false, 3 * MIB],
      ['3MB', false, 3_000_000],
      ['2G', false, 2 * 1024 ** 3],
      ['1T', false, 1024 ** 4],
      ['1xM', true, MIB],
      ['4w', true, 8],
      ['7c', true, 7],
      ['1xM', false, undefined],
      ['10k', false, undefined],
      ['1.5M', false, undefined],
      ['-1', false, undefined],
      ['M', false, undefined],
      ['99999999999E', false, undefined],
    ];
    for (const [text, dd, expected] of cases) assert.equal(parseByteCount(text, dd), expected, `${text} (dd: ${dd})`);
  });

  it('parses sleep intervals', () => {
    const cases: Array<[string, number | undefined]> = [
      ['5', 5], ['0.5', 0.5], ['.25', 0.25], ['2s', 2], ['1.5m', 90], ['2h', 7200], ['1d', 86_400],
      ['infinity', Number.POSITIVE_INFINITY], ['inf', Number.POSITIVE_INFINITY],
      ['5M', undefined], ['abc', undefined], ['-1', undefined], ['', undefined],
    ];
    for (const [text, expected] of cases) assert.equal(parseSleepSeconds(text), expected, text);
  });

  it('writes head -c output to a file', async () => {
    const shell = recordingShell();
    const result = await runShellScript('head -c 10M /dev/zero > /big.bin && head -c5 /dev/urandom >/small', shell);
    assert.equal(result.exitCode, 0);
    assert.deepEqual([...shell.files], [['/big.bin', 10 * MIB], ['/small', 5]]);
    assert.equal(shell.outputBytes, 0);
    assert.deepEqual(result.output, []);
  });

  it('counts head output to the log', async () => {
    const shell = recordingShell();
    await runShellScript('head --bytes=2K /dev/zero', shell);
    assert.equal(shell.outputBytes, 2048);
    assert.equal(shell.files.size, 0);
  });

  it('rejects an invalid head count', async () => {
    const shell = recordingShell();
    const result = await runShellScript('head -c 10Q2 /dev/zero > /file', shell);
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.output, ['head: invalid number of bytes: \u201810Q2\u2019']);
  });

  it('reads nothing from stdin', async () => {
    const shell = recordingShell();
    assert.equal((await runShellScript('head -c 100 > /from-stdin', shell)).exitCode, 0);
    assert.equal(shell.files.get('/from-stdin') ?? 0, 0);
  });

  it('writes dd blocks and reports them', async () => {
    const shell = recordingShell();
    const result = await runShellScript('dd if=/dev/zero of=/data/blob bs=1M count=3', shell);
    assert.equal(result.exitCode, 0);
    assert.deepEqual([...shell.files], [['/data/blob', 3 * MIB]]);
    assert.equal(result.output[0], '3+0 records in');
    assert.equal(result.output[1], '3+0 records out');
    assert.match(result.output[2], /^3145728 bytes \(3\.1 MB, 3\.0 MiB\) copied, [0-9.e-]+ s, [0-9.]+ [kMG]?B\/s$/);
  });

  it('keeps dd quiet with status=none', async () => {
    const shell = recordingShell();
    const result = await runShellScript('dd if=/dev/zero of=/f bs=512 count=4 status=none', shell);
    assert.deepEqual(result.output, []);
    assert.equal(shell.files.get('/f'), 2048);
  });

  it('rejects invalid dd operands', async () => {
    const cases: Array<[string, string[]]> = [
      ['dd if=/dev/zero of=/f bs=1Q count=1', ['dd: invalid number: \u20181Q\u2019']],
      ['dd if=/dev/zero of=/f bs=0 count=1', ['dd: invalid number: \u20180\u2019']],
      ['dd if=/dev/zero of=/f count=x', ['dd: invalid number: \u2018x\u2019']],
      ['dd if=/dev/zero of=/f size=1', ['dd: unrecognized operand \u2018size=1\u2019', "Try 'dd --help' for more information."]],
    ];
    for (const [script, output] of cases) {
      const shell = recordingShell();
      const result = await runShellScript(script, shell);
      assert.equal(result.exitCode, 1, script);
      assert.deepEqual(result.output, output, script);
      assert.equal(shell.files.size, 0, script);
    }
  });

  it('leaves forms it does not emulate alone', async () => {
    const shell = recordingShell();
    const result = await runShellScript('dd if=/dev/zero of=/endless; dd if=/etc/hosts of=/copy count=1; head -n 3 /etc/passwd', shell);
    assert.equal(result.exitCode, 0);
    assert.equal(shell.files.size, 0);
    assert.deepEqual(result.output, []);
  });

  it('sums sleep arguments', async () => {
    const shell = recordingShell();
    assert.equal((await runShellScript('sleep 1 2m 0.5', shell)).exitCode, 0);
    assert.deepEqual(shell.sleeps, [121.5]);
  });

  it('rejects invalid sleep intervals', async () => {
    const shell = recordingShell();
    const result = await runShellScript('sleep 5x || sleep', shell);
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.output, [
      'sleep: invalid time interval \u20185x\u2019', "Try 'sleep --help' for more information.",
      'sleep: missing operand', "Try 'sleep --help' for more information.",
    ]);
    assert.deepEqual(shell.sleeps, []);
  });

  it('redirects stdout and stderr', async () => {
    const shell = recordingShell();
    const result = await runShellScript([
      'echo hello > /greeting',
      'echo again >> /greeting',
      'dd if=/dev/zero of=/quiet bs=1K count=1 2>/dev/null',
      'dd if=/dev/zero bs=1K count=2 2>/report >/dev/null',
      'echo to-stderr 1>&2 2>/errors',
      'sleep x >/log 2>&1',
      'echo shown',
    ].join('\n'), shell);
    assert.deepEqual(result.output, ['to-stderr', 'shown']);
    assert.equal(shell.files.get('/greeting'), 12);
    assert.equal(shell.files.get('/quiet'), 1024);
    assert.ok((shell.files.get('/report') ?? 0) > 40);
    assert.equal(shell.files.has('/errors'), false);
    assert.ok((shell.files.get('/log') ?? 0) > 40);
    assert.equal(shell.outputBytes, 0);
    assert.deepEqual(shell.lines, result.output);
  });

  it('runs exec-form commands without redirections', async () => {
    const shell = recordingShell();
    const result = await runExecForm(['head', '-c', '1K', '/dev/zero', '>', '/file'], shell);
    assert.equal(result.exitCode, 0);
    assert.equal(shell.outputBytes, 0);
    assert.equal(shell.files.size, 0);
  });
});
