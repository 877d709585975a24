import assert from 'node:assert/strict';
import { parseKanikoArgs, type KanikoOptions } from '../../../../tools/local-cluster/kubelet/executor/args';

function options(args: string[]): KanikoOptions {
  const parsed = parseKanikoArgs(args);
  assert.equal(parsed.kind, 'build', `expected a build, got ${JSON.stringify(parsed)}`);
  return (parsed as { options: KanikoOptions }).options;
}

function errorOf(args: string[]): string {
  const parsed = parseKanikoArgs(args);
  assert.equal(parsed.kind, 'error');
  return (parsed as { message: string }).message;
}

describe('kaniko argument parsing', () => {
  it('reads --flag=value and --flag value forms', () => {
    const parsed = options(['--context=tar:///ctx.tgz', '--dockerfile', 'app/Dockerfile']);
    assert.equal(parsed.context, 'tar:///ctx.tgz');
    assert.equal(parsed.dockerfile, 'app/Dockerfile');
  });

  it('applies kaniko defaults', () => {
    const parsed = options([]);
    assert.equal(parsed.context, '/workspace/');
    assert.equal(parsed.dockerfile, 'Dockerfile');
    assert.equal(parsed.logFormat, 'color');
    assert.equal(parsed.verbosity, 'info');
    assert.equal(parsed.noPush, false);
    assert.equal(parsed.snapshotMode, 'full');
  });

  it('collects repeated destinations, build args and labels', () => {
    const parsed = options([
      '--destination=a.azurecr.io/app:1', '-d', 'a.azurecr.io/app:latest', '-da.azurecr.io/app:x',
      '--build-arg', 'A=1', '--build-arg=B', '--label', 'team=x',
    ]);
    assert.deepEqual(parsed.destinations, ['a.azurecr.io/app:1', 'a.azurecr.io/app:latest', 'a.azurecr.io/app:x']);
    assert.deepEqual(parsed.buildArgs, ['A=1', 'B']);
    assert.deepEqual(parsed.labels, ['team=x']);
  });

  it('splits --target on commas like a string slice', () => {
    assert.deepEqual(options(['--target=build,test', '--target', 'final']).targets, ['build', 'test', 'final']);
  });

  it('treats a bare boolean flag as true and parses Go booleans', () => {
    assert.equal(options(['--no-push']).noPush, true);
    assert.equal(options(['--no-push=false']).noPush, false);
    assert.equal(options(['--no-push=T']).noPush, true);
  });

  it('does not let a boolean flag take the next argument', () => {
    assert.equal(errorOf(['--no-push', 'false']), 'unknown command "false" for "executor"');
  });

  it('rejects an unknown flag as cobra does', () => {
    assert.equal(errorOf(['--frobnicate=1']), 'unknown flag: --frobnicate');
  });

  it('rejects an unknown shorthand flag', () => {
    assert.equal(errorOf(['-x']), "unknown shorthand flag: 'x' in -x");
  });

  it('rejects a missing value', () => {
    assert.equal(errorOf(['--context']), 'flag needs an argument: --context');
    assert.equal(errorOf(['-d']), "flag needs an argument: 'd' in -d");
  });

  it('rejects invalid typed values with pflag messages', () => {
    assert.equal(
      errorOf(['--no-push=maybe']),
      'invalid argument "maybe" for "--no-push" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
    assert.equal(
      errorOf(['--push-retry=two']),
      'invalid argument "two" for "--push-retry" flag: strconv.ParseInt: parsing "two": invalid syntax',
    );
    assert.equal(errorOf(['--cache-ttl=soon']), 'invalid argument "soon" for "--cache-ttl" flag: time: invalid duration "soon"');
    assert.equal(
      errorOf(['--compression=xz']),
      'invalid argument "xz" for "--compression" flag: must be either "gzip" or "zstd"',
    );
  });

  it('rejects bad flag syntax', () => {
    assert.equal(errorOf(['---context=x']), 'bad flag syntax: ---context=x');
  });

  it('accepts valid durations and integers', () => {
    const parsed = options(['--cache-ttl=1h30m', '--push-retry=3', '--cache']);
    assert.ok(parsed.setFlags.has('cache-ttl'));
    assert.equal(parsed.cache, true);
  });

  it('recognises help and version', () => {
    assert.equal(parseKanikoArgs(['--help']).kind, 'help');
    assert.equal(parseKanikoArgs(['version']).kind, 'version');
  });

  it('keeps arguments after -- as positional', () => {
    assert.equal(errorOf(['--', '--no-push']), 'unknown command "--no-push" for "executor"');
  });
});
