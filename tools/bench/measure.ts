// Times the task's packing against tar | gzip and tar | pigz on one context, and measures the
// task's memory and the bytes it uploads again on a rerun.
import type { AzuriteBlob } from '../azurite';
import type { GeneratedContext } from './contexts';
import { runDriver } from './driver';
import type { Contender, ContextFigures } from './figures';
import type { DriverRequest } from './protocol';
import { GZIP_PIPELINE, pigzPipeline, syncFileSystem, timePipeline, WARM_UP_PIPELINE } from './shell';
import { median } from './stats';

export interface MeasureSetup {
  /** The bundled task driver. */
  driver: string;
  azurite: AzuriteBlob;
  runs: number;
  cores: number;
  /** False when pigz is not installed; its column then stays empty. */
  pigz: boolean;
  log(line: string): void;
  /** Records what could not run. */
  error(message: string): void;
}

interface Sample {
  seconds: number;
  digestSeconds?: number;
  archiveBytes?: number;
  rssKiB?: number;
}

interface Measurement {
  contender: Contender;
  label: string;
  measure(round: number): Promise<Sample>;
}

/**
 * Runs every contender `setup.runs` times, one after another in each round, and keeps the
 * median time. Before each one the file system's pending writes are flushed, because Azurite
 * keeps the uploads in the same temporary folder. A contender that fails is left out of the
 * later rounds.
 */
export async function measureContext(context: GeneratedContext, setup: MeasureSetup): Promise<ContextFigures> {
  await timePipeline(WARM_UP_PIPELINE, context.dir);
  let measurements = listMeasurements(context, setup);
  const samples: Partial<Record<Contender, Sample[]>> = {};
  for (let round = 1; round <= setup.runs; round += 1) {
    const times: string[] = [];
    for (const { contender, label, measure } of measurements) {
      try {
        syncFileSystem(context.dir);
        const sample = await measure(round);
        (samples[contender] ??= []).push(sample);
        times.push(`${label} ${sample.seconds.toFixed(2)} s`);
      } catch (error) {
        setup.error(`${context.name}, ${label}: ${(error as Error).message}`);
        measurements = measurements.filter((measurement) => measurement.contender !== contender);
      }
    }
    setup.log(`  ${context.name} round ${round}/${setup.runs}: ${times.join(', ')}`);
  }

  const rerun = await measureRerun(context, setup);
  const seconds: ContextFigures['seconds'] = {};
  for (const [contender, list] of Object.entries(samples) as [Contender, Sample[]][]) {
    seconds[contender] = median(list.map((sample) => sample.seconds));
  }
  return {
    name: context.name,
    files: context.files,
    bytes: context.bytes,
    seconds,
    digestSeconds: median((samples.taskUpload ?? []).flatMap((sample) => (sample.digestSeconds === undefined ? [] : [sample.digestSeconds]))),
    rerunSeconds: rerun.samples[1]?.seconds,
    archiveBytes: { task: samples.taskPack?.[0]?.archiveBytes, gzip: samples.gzip?.[0]?.archiveBytes, pigz: samples.pigz?.[0]?.archiveBytes },
    packRssKiB: maxRss(samples.taskPack ?? []),
    uploadRssKiB: maxRss([...(samples.taskUpload ?? []), ...rerun.samples]),
    firstUploadBytes: rerun.uploaded[0],
    rerunUploadBytes: rerun.uploaded[1],
  };
}

/** Lists the contenders; each upload round gets a container of its own, so that no round finds an earlier round's blob. */
function listMeasurements(context: GeneratedContext, setup: MeasureSetup): Measurement[] {
  const measurements: Measurement[] = [
    {
      contender: 'taskPack',
      label: 'task pack',
      measure: async () => fromDriver(await runDriver(setup.driver, request(context, setup, 'pack'))),
    },
    {
      contender: 'taskUpload',
      label: 'pack+upload',
      measure: async (round) => fromDriver(await runDriver(setup.driver, request(context, setup, 'upload', `${context.name}-upload-${round}`))),
    },
    { contender: 'gzip', label: 'gzip', measure: async () => fromPipeline(await timePipeline(GZIP_PIPELINE, context.dir)) },
  ];
  if (setup.pigz) {
    measurements.push({ contender: 'pigz', label: 'pigz', measure: async () => fromPipeline(await timePipeline(pigzPipeline(setup.cores), context.dir)) });
  }
  return measurements;
}

/** Packs and uploads the context twice into one container, as two pipeline runs on unchanged sources would. */
async function measureRerun(context: GeneratedContext, setup: MeasureSetup): Promise<{ uploaded: number[]; samples: Sample[] }> {
  const uploaded: number[] = [];
  const samples: Sample[] = [];
  try {
    for (let run = 1; run <= 2; run += 1) {
      const report = await runDriver(setup.driver, request(context, setup, 'upload', `${context.name}-rerun`));
      uploaded.push(report.uploadedBytes);
      samples.push(fromDriver(report));
    }
    setup.log(`  ${context.name} rerun: uploaded ${uploaded[0]} bytes, then ${uploaded[1]} bytes`);
  } catch (error) {
    setup.error(`${context.name}, rerun: ${(error as Error).message}`);
  }
  return { uploaded, samples };
}

function request(context: GeneratedContext, setup: MeasureSetup, mode: 'pack' | 'upload', container?: string): DriverRequest {
  const { azurite } = setup;
  return {
    mode,
    contextDir: context.dir,
    dockerfile: 'Dockerfile',
    target: container === undefined ? undefined : {
      endpoint: azurite.blobEndpoint, account: azurite.accountName, accountKey: azurite.accountKey, container,
    },
  };
}

function fromDriver(report: { seconds: number; digestSeconds?: number; archiveBytes?: number; maxRssKiB: number }): Sample {
  return { seconds: report.seconds, digestSeconds: report.digestSeconds, archiveBytes: report.archiveBytes, rssKiB: report.maxRssKiB };
}

function fromPipeline(result: { seconds: number; bytes: number }): Sample {
  return { seconds: result.seconds, archiveBytes: result.bytes };
}

function maxRss(samples: Sample[]): number | undefined {
  const values = samples.flatMap((sample) => (sample.rssKiB === undefined ? [] : [sample.rssKiB]));
  return values.length === 0 ? undefined : Math.max(...values);
}
