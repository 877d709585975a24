// parseSettings with the contextDelivery and downloadImage inputs.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_DOWNLOAD_IMAGE } from '../../../tasks/KanikoBuildV1/src/settings/context';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

describe('settings: context delivery', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  it('empty means sasDownload', () => {
    const settings = parseSettings(rawRun(root(), { inputs: { contextDelivery: '' } }));

    assert.deepEqual(settings.context, {
      delivery: 'sasDownload', downloadImage: 'curlimages/curl:8.20.0', mtime: new Date('2000-01-01T00:00:00Z'), retentionDays: 7,
    });
  });

  it('accountKey is accepted', () => {
    assert.equal(parseSettings(rawRun(root(), { inputs: { contextDelivery: 'accountKey' } })).context.delivery, 'accountKey');
  });

  it('unknown delivery is rejected', () => {
    const problems = settingsProblems(rawRun(root(), { inputs: { contextDelivery: 'SASDownload' } }));

    assert.deepEqual(problems, [
      "Input contextDelivery: 'SASDownload' is not a valid choice. Use sasDownload (an init container downloads the archive with a read-only SAS), accountKey (kaniko reads the blob with the storage account key) or direct (the task streams the archive into the pod, no storage account).",
    ]);
  });

  it('invalid download image is rejected', () => {
    const problems = settingsProblems(rawRun(root(), { inputs: { downloadImage: 'curlimages/curl:latest latest' } }));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Input downloadImage: 'curlimages\/curl:latest latest' is not a valid image reference/);
  });

  it('empty download image means the default', () => {
    const settings = parseSettings(rawRun(root(), { inputs: { downloadImage: '' } }));

    assert.equal(settings.context.downloadImage, 'curlimages/curl:8.20.0');
  });

  it('download image default matches task.json', () => {
    const taskJson = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../tasks/KanikoBuildV1/task.json'), 'utf8')) as {
      inputs: { name: string; defaultValue?: string }[];
    };

    assert.equal(taskJson.inputs.find((input) => input.name === 'downloadImage')?.defaultValue, DEFAULT_DOWNLOAD_IMAGE);
  });

  it('download image is not checked for accountKey', () => {
    assert.doesNotThrow(() => parseSettings(rawRun(root(), { inputs: { contextDelivery: 'accountKey', downloadImage: '' } })));
  });

  it('direct needs no storage inputs', () => {
    const settings = parseSettings(rawRun(root(), {
      inputs: { contextDelivery: 'direct', storageAccount: '', storageContainer: '', storageAccessKey: '' },
    }));

    assert.equal(settings.context.delivery, 'direct');
    assert.equal(settings.storage, undefined);
  });
});

describe('settings: archive time and retention', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  it('SOURCE_DATE_EPOCH sets the entry time', () => {
    const settings = parseSettings(rawRun(root(), { sourceDateEpoch: '1700000000' }));

    assert.deepEqual(settings.context.mtime, new Date(1_700_000_000_000));
  });

  it('reproducibleContext false keeps file times', () => {
    const settings = parseSettings(rawRun(root(), { inputs: { reproducibleContext: 'false' }, sourceDateEpoch: '1700000000' }));

    assert.equal(settings.context.mtime, undefined);
  });

  for (const epoch of ['yesterday', '-1', '1.5', '99999999999']) {
    it(`SOURCE_DATE_EPOCH '${epoch}' is rejected`, () => {
      const problems = settingsProblems(rawRun(root(), { sourceDateEpoch: epoch }));

      assert.equal(problems.length, 1);
      assert.equal(problems[0], `Pipeline variable SOURCE_DATE_EPOCH: '${epoch}' is not a time. Set it to whole seconds since 1970-01-01 UTC (for example the commit time from \`git log -1 --format=%ct\`), or remove it to use 2000-01-01.`);
    });
  }

  it('empty retention means seven days', () => {
    assert.equal(parseSettings(rawRun(root(), { inputs: { contextRetentionInDays: '' } })).context.retentionDays, 7);
  });

  it('retention 0 and 365 are accepted', () => {
    assert.equal(parseSettings(rawRun(root(), { inputs: { contextRetentionInDays: '0' } })).context.retentionDays, 0);
    assert.equal(parseSettings(rawRun(root(), { inputs: { contextRetentionInDays: '365' } })).context.retentionDays, 365);
  });

  for (const days of ['366', '-1', 'week', '2.5']) {
    it(`retention '${days}' is rejected`, () => {
      const problems = settingsProblems(rawRun(root(), { inputs: { contextRetentionInDays: days } }));

      assert.deepEqual(problems, [
        `Input contextRetentionInDays: '${days}' is not a whole number from 0 to 365. Use 0 to delete the uploaded context after each run, or the days to keep it for reruns.`,
      ]);
    });
  }
});
