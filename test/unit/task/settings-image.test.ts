// parseSettings with the repository and tags inputs.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import { rawRun, settingsProblems, usernamePasswordEndpoint } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

describe('settings: repository and tags', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  // The default registry connection is ACR myregistry.azurecr.io.
  const validRepositories = [
    { input: 'web', expected: 'myregistry.azurecr.io/web' },
    { input: 'team/web', expected: 'myregistry.azurecr.io/team/web' },
    { input: 'team/sub.group/web_app-1', expected: 'myregistry.azurecr.io/team/sub.group/web_app-1' },
    { input: 'a__b/c---d', expected: 'myregistry.azurecr.io/a__b/c---d' },
    { input: 'myregistry.azurecr.io/team/web', expected: 'myregistry.azurecr.io/team/web' },
    { input: 'MyRegistry.azurecr.io/team/web', expected: 'myregistry.azurecr.io/team/web' },
  ];
  for (const { input, expected } of validRepositories) {
    it(`repository ${input} is accepted`, () => {
      const settings = parseSettings(rawRun(root(), { inputs: { repository: input } }));

      assert.equal(settings.image.repository, expected);
    });
  }

  const dockerHubRepositories = [
    { input: 'team/web', expected: 'docker.io/team/web' },
    { input: 'docker.io/team/web', expected: 'docker.io/team/web' },
    { input: 'index.docker.io/team/web', expected: 'docker.io/team/web' },
  ];
  for (const { input, expected } of dockerHubRepositories) {
    it(`Docker Hub repository ${input} is accepted`, () => {
      const run = rawRun(root(), { inputs: { repository: input }, registryEndpoint: usernamePasswordEndpoint('docker.io') });

      assert.equal(parseSettings(run).image.repository, expected);
    });
  }

  const invalidRepositories = [
    { input: '', pattern: /^Input repository: it is empty/ },
    { input: 'team/web:1.0', pattern: /'team\/web:1\.0' contains a tag or digest/ },
    { input: `team/web@sha256:${'a'.repeat(64)}`, pattern: /contains a tag or digest/ },
    { input: 'other.example.test/team/web', pattern: /names the registry other\.example\.test, but the registry connection is for myregistry\.azurecr\.io/ },
    { input: 'localhost:5000/web', pattern: /names the registry localhost:5000/ },
    { input: 'Team/Web', pattern: /the part 'Team' must be lower-case/ },
    { input: 'team//web', pattern: /the part '' must be/ },
    { input: 'team/web-', pattern: /the part 'web-' must be/ },
    { input: 'team/we b', pattern: /the part 'we b' must be/ },
    { input: 'team/web/', pattern: /the part '' must be/ },
    { input: 'team/web...x', pattern: /the part 'web\.\.\.x' must be/ },
    { input: `team/${'a'.repeat(240)}`, pattern: /longer than 255 characters/ },
  ];
  for (const { input, pattern } of invalidRepositories) {
    it(`repository '${input.slice(0, 40)}' is rejected`, () => {
      const problems = settingsProblems(rawRun(root(), { inputs: { repository: input } }));

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^Input repository:/);
      assert.match(problems[0], pattern);
    });
  }

  const validTags = [
    { name: 'one tag', input: 'v1', expected: ['v1'] },
    { name: 'one a line', input: 'v1\nlatest', expected: ['v1', 'latest'] },
    { name: 'Windows line ends', input: 'v1\r\nlatest\r\n', expected: ['v1', 'latest'] },
    { name: 'commas', input: 'v1, latest,stable', expected: ['v1', 'latest', 'stable'] },
    { name: 'blank lines and spaces', input: '\n  v1  \n\n\t\nlatest\n', expected: ['v1', 'latest'] },
    { name: 'duplicates', input: 'v1\nlatest\nv1, latest', expected: ['v1', 'latest'] },
    { name: 'longest tag', input: `a${'b'.repeat(127)}`, expected: [`a${'b'.repeat(127)}`] },
    { name: 'tag characters', input: '_1.2-rc_3', expected: ['_1.2-rc_3'] },
  ];
  for (const { name, input, expected } of validTags) {
    it(`tags: ${name}`, () => {
      const settings = parseSettings(rawRun(root(), { inputs: { tags: input } }));

      assert.deepEqual(settings.image.tags, expected);
    });
  }

  it('duplicate tags keep first position', () => {
    const settings = parseSettings(rawRun(root(), { inputs: { tags: 'b\na\nb' } }));

    assert.deepEqual(settings.image.tags, ['b', 'a']);
  });

  it('empty tags input is rejected', () => {
    const problems = settingsProblems(rawRun(root(), { inputs: { tags: ' \n , \n' } }));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Input tags: no tag was given/);
  });

  it('every invalid tag is reported', () => {
    const invalid = ['-dash', '.dot', 'with space', 'colon:tag', `a${'b'.repeat(128)}`, 'ünicode'];
    const problems = settingsProblems(rawRun(root(), { inputs: { tags: ['good', ...invalid].join('\n') } }));

    assert.equal(problems.length, invalid.length, problems.join('\n'));
    for (const [index, tag] of invalid.entries()) {
      assert.ok(problems[index].startsWith(`Input tags: '${tag}' is not a valid tag`), problems[index]);
    }
  });

  it('repository and tag problems are both reported', () => {
    const problems = settingsProblems(rawRun(root(), { inputs: { repository: 'Bad', tags: '-x' } }));

    assert.equal(problems.length, 2);
    assert.ok(problems.some((problem) => problem.startsWith('Input repository:')));
    assert.ok(problems.some((problem) => problem.startsWith('Input tags:')));
  });
});
