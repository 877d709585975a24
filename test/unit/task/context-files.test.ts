// listContextEntries: which files of a real folder go into the build context.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listContextEntries, type ContextEntry } from '../../../tasks/KanikoBuildV1/src/context/files';
import { useTempDir, writeTree } from './support/temp-dir';

/** Returns `name (type)` for every entry, in the listed order. */
function describeEntries(entries: ContextEntry[]): string[] {
  return entries.map((entry) => `${entry.name} (${entry.type})`);
}

function namesOf(entries: ContextEntry[]): string[] {
  return entries.map((entry) => entry.name);
}

const APP_TREE = {
  'Dockerfile': 'FROM alpine\n',
  'app.py': 'print(1)\n',
  'debug.log': 'log\n',
  'src/main.py': 'main\n',
  'src/trace.log': 'log\n',
  'src/deep/more.log': 'log\n',
  'node_modules/lib/index.js': 'x\n',
  'docs/guide.md': 'guide\n',
  'docs/keep.md': 'keep\n',
  'docs/internal/keep.md': 'deep keep\n',
  '.git/HEAD': 'ref\n',
  '.env': 'SECRET=1\n',
};

describe('context: listContextEntries', () => {
  const root = useTempDir();

  it('no .dockerignore lists everything sorted', async () => {
    writeTree(root(), { 'b.txt': 'b', 'a/z.txt': 'z', 'a/b.txt': 'b', 'Dockerfile': 'FROM alpine\n', 'A.txt': 'A' });
    const entries = await listContextEntries(root(), 'Dockerfile');

    assert.deepEqual(describeEntries(entries), [
      'A.txt (file)', 'Dockerfile (file)', 'a (directory)', 'a/b.txt (file)', 'a/z.txt (file)', 'b.txt (file)',
    ]);
    for (const entry of entries) assert.equal(entry.source, path.join(root(), ...entry.name.split('/')));
  });

  const ignoreCases = [
    {
      name: 'root-level pattern',
      rules: '*.log',
      excluded: ['debug.log'],
      included: ['src/trace.log', 'src/deep/more.log'],
    },
    {
      name: 'double-star pattern',
      rules: '**/*.log',
      excluded: ['debug.log', 'src/trace.log', 'src/deep/more.log'],
      included: ['src/main.py'],
    },
    {
      name: 'folder pattern',
      rules: 'node_modules\n.git',
      excluded: ['node_modules', 'node_modules/lib', 'node_modules/lib/index.js', '.git', '.git/HEAD'],
      included: ['app.py', '.env'],
    },
    {
      name: 'comments and blank lines',
      rules: '# app.py\n\n   \n.env\n',
      excluded: ['.env'],
      included: ['app.py'],
    },
    {
      name: 'exception inside an ignored folder',
      rules: 'docs\n!docs/keep.md',
      excluded: ['docs', 'docs/guide.md', 'docs/internal', 'docs/internal/keep.md'],
      included: ['docs/keep.md'],
    },
    {
      name: 'double-star exception',
      rules: 'docs\n!**/keep.md',
      excluded: ['docs/guide.md'],
      included: ['docs/keep.md', 'docs/internal/keep.md'],
    },
    {
      name: 'later rule wins',
      rules: '!app.py\n*.py',
      excluded: ['app.py'],
      included: ['src/main.py'],
    },
    {
      name: 'leading slash and dot',
      rules: '/debug.log\n./src/trace.log',
      excluded: ['debug.log', 'src/trace.log'],
      included: ['src/deep/more.log'],
    },
  ];
  for (const { name, rules, excluded, included } of ignoreCases) {
    it(`.dockerignore ${name}`, async () => {
      writeTree(root(), { ...APP_TREE, '.dockerignore': rules });
      const names = namesOf(await listContextEntries(root(), 'Dockerfile'));

      for (const file of excluded) assert.ok(!names.includes(file), `${file} should be left out of ${names.join(', ')}`);
      for (const file of included) assert.ok(names.includes(file), `${file} should be in ${names.join(', ')}`);
      assert.ok(names.includes('Dockerfile'));
      assert.ok(names.includes('.dockerignore'));
    });
  }

  it('Dockerfile and .dockerignore always included', async () => {
    writeTree(root(), { 'Dockerfile': 'FROM alpine\n', '.dockerignore': '*\n', 'app.py': 'x', 'src/a.py': 'a' });
    const entries = await listContextEntries(root(), 'Dockerfile');

    assert.deepEqual(describeEntries(entries), ['.dockerignore (file)', 'Dockerfile (file)']);
  });

  it('Dockerfile in an ignored folder included', async () => {
    writeTree(root(), { 'build/Dockerfile': 'FROM alpine\n', 'build/notes.txt': 'n', '.dockerignore': 'build\n', 'app.py': 'x' });
    const names = namesOf(await listContextEntries(root(), 'build/Dockerfile'));

    assert.deepEqual(names, ['.dockerignore', 'app.py', 'build/Dockerfile']);
  });

  it('symlinks kept as symlinks', async () => {
    writeTree(root(), { 'Dockerfile': 'FROM alpine\n', 'target.txt': 't', 'dir/inside.txt': 'i' });
    fs.symlinkSync('target.txt', path.join(root(), 'link.txt'));
    fs.symlinkSync('dir', path.join(root(), 'dirlink'));
    fs.symlinkSync('/nonexistent/absolute', path.join(root(), 'dangling'));
    const entries = await listContextEntries(root(), 'Dockerfile');

    assert.deepEqual(describeEntries(entries), [
      'Dockerfile (file)', 'dangling (symlink)', 'dir (directory)', 'dir/inside.txt (file)',
      'dirlink (symlink)', 'link.txt (symlink)', 'target.txt (file)',
    ]);
  });

  it('ignored symlink left out', async () => {
    writeTree(root(), { 'Dockerfile': 'FROM alpine\n', 'target.txt': 't', '.dockerignore': 'link.txt\n' });
    fs.symlinkSync('target.txt', path.join(root(), 'link.txt'));

    assert.deepEqual(namesOf(await listContextEntries(root(), 'Dockerfile')), ['.dockerignore', 'Dockerfile', 'target.txt']);
  });

  it('empty folders kept', async () => {
    writeTree(root(), { 'Dockerfile': 'FROM alpine\n' });
    fs.mkdirSync(path.join(root(), 'empty'));
    fs.mkdirSync(path.join(root(), 'nested', 'empty'), { recursive: true });
    const entries = await listContextEntries(root(), 'Dockerfile');

    assert.deepEqual(describeEntries(entries), ['Dockerfile (file)', 'empty (directory)', 'nested (directory)', 'nested/empty (directory)']);
  });

  it('entries sorted by byte order', async () => {
    writeTree(root(), { 'Dockerfile': 'x', 'a-b/x': 'x', 'a/x': 'x', 'a.b': 'x', 'Z': 'x', '_': 'x' });
    const names = namesOf(await listContextEntries(root(), 'Dockerfile'));

    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(names, ['Dockerfile', 'Z', '_', 'a', 'a-b', 'a-b/x', 'a.b', 'a/x']);
  });

  it('non-UTF-8 name fails with its bytes', async () => {
    writeTree(root(), { 'Dockerfile': 'FROM alpine\n' });
    fs.writeFileSync(Buffer.concat([Buffer.from(`${root()}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name\n');

    await assert.rejects(listContextEntries(root(), 'Dockerfile'), (error: Error) => {
      assert.equal(error.message, `${path.join(root(), 'caf\\xe9.txt')} has a name that is not valid UTF-8, which the task cannot pack. Rename it, or leave it out with a rule in .dockerignore`);
      return true;
    });
  });

  it('ignored non-UTF-8 name left out', async () => {
    writeTree(root(), { 'Dockerfile': 'FROM alpine\n', '.dockerignore': 'caf*\n' });
    fs.writeFileSync(Buffer.concat([Buffer.from(`${root()}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name\n');

    assert.deepEqual(namesOf(await listContextEntries(root(), 'Dockerfile')), ['.dockerignore', 'Dockerfile']);
  });
});
