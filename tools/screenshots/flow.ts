// Draws the flow diagram screenshot: what one KanikoBuild@1 step does between the pipeline agent,
// Azure Blob Storage, the Kubernetes API server, the kaniko pod and the container registry.
import { COLORS, MONO, svgDocument, text } from './svg';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function card(box: Box, options: { fill?: string; stroke?: string; dashed?: boolean; radius?: number } = {}): string {
  const { fill = COLORS.white, stroke = COLORS.line, dashed = false, radius = 14 } = options;
  const dash = dashed ? ' stroke-dasharray="8 6"' : '';
  const shadow = dashed
    ? ''
    : `<rect x="${box.x}" y="${box.y + 4}" width="${box.width}" height="${box.height}" rx="${radius}" fill="#0D2A4A" opacity="0.10" filter="url(#blur)"/>`;
  return (
    `${shadow}<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="${radius}" ` +
    `fill="${fill}" stroke="${stroke}" stroke-width="2"${dash}/>`
  );
}

/** Returns a card with a coloured title bar and one line of text per detail. A detail that starts with spaces is indented. */
function titledCard(box: Box, title: string, color: string, details: string[]): string[] {
  const parts = [
    card(box),
    `<path d="M${box.x} ${box.y + 44} v-30 a14 14 0 0 1 14 -14 h${box.width - 28} a14 14 0 0 1 14 14 v30 z" fill="${color}"/>`,
    text(box.x + 20, box.y + 29, title, { size: 19, weight: 'bold', color: COLORS.white }),
  ];
  details.forEach((detail, index) => {
    const indented = detail.startsWith(' ');
    const x = box.x + (indented ? 36 : 20);
    parts.push(text(x, box.y + 74 + index * 26, detail.trim(), { size: 16, color: indented ? COLORS.muted : COLORS.ink }));
  });
  return parts;
}

/** Returns a numbered badge, the step's place in the flow. */
function badge(x: number, y: number, number: number): string {
  return [
    `<circle cx="${x}" cy="${y}" r="15" fill="${COLORS.orange}"/>`,
    text(x, y + 6, String(number), { size: 17, weight: 'bold', color: COLORS.white, anchor: 'middle' }),
  ].join('');
}

/** Returns an arrow along the points, with a head at the last one. */
function arrow(points: [number, number][], color: string, dashed = false): string {
  const path = points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${x} ${y}`).join(' ');
  const dash = dashed ? ' stroke-dasharray="7 6"' : '';
  return `<path d="${path}" fill="none" stroke="${color}" stroke-width="3"${dash} stroke-linejoin="round" marker-end="url(#head-${color.slice(1)})"/>`;
}

/** Returns a step label: a badge and one or two lines of text to its right. */
function stepLabel(x: number, y: number, number: number, lines: string[]): string {
  const parts = [badge(x, y, number)];
  lines.forEach((line, index) => {
    parts.push(text(x + 24, y + 6 + index * 21, line, { size: 16, weight: index === 0 ? 'bold' : 'normal', color: index === 0 ? COLORS.ink : COLORS.muted }));
  });
  return parts.join('');
}

function definitions(): string {
  const heads = [COLORS.blue, COLORS.orange, COLORS.green, COLORS.muted]
    .map((color) => (
      `<marker id="head-${color.slice(1)}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">` +
      `<path d="M0 0 L10 5 L0 10 z" fill="${color}"/></marker>`
    ))
    .join('');
  const blur = '<filter id="blur" x="-10%" y="-10%" width="120%" height="130%"><feGaussianBlur stdDeviation="5"/></filter>';
  return `<defs>${heads}${blur}</defs>`;
}

/** Builds the SVG document of the flow diagram. */
export function flowSvg(): string {
  const agent: Box = { x: 40, y: 150, width: 330, height: 400 };
  const storage: Box = { x: 520, y: 150, width: 330, height: 132 };
  const apiServer: Box = { x: 520, y: 390, width: 330, height: 158 };
  const cluster: Box = { x: 930, y: 130, width: 396, height: 440 };
  const pod: Box = { x: 956, y: 196, width: 344, height: 206 };
  const registry: Box = { x: 930, y: 612, width: 396, height: 120 };

  const body = [
    definitions(),
    text(40, 62, 'What one KanikoBuild@1 step does', { size: 32, weight: 'bold' }),
    text(40, 98, 'No Docker daemon on the agent and no privileged container in the cluster: kaniko builds inside an ordinary pod.', {
      size: 18, color: COLORS.muted,
    }),

    ...titledCard(agent, 'Azure Pipelines agent', COLORS.blue, [
      'KanikoBuild@1 step',
      '• checks inputs and permissions',
      '• packs the build context',
      '  with the .dockerignore rules',
      '• streams the kaniko log',
      '• sets imageDigest and imageName',
      '• deletes what it created',
      '• in a post-job step, deletes what',
      '  a killed run left behind',
    ]),
    ...titledCard(storage, 'Azure Blob Storage', COLORS.darkBlue, [
      'Your storage account',
      'sha256/<digest>.tar.gz, kept for reruns',
    ]),
    ...titledCard(apiServer, 'Kubernetes API server', '#326CE5', [
      'Your AKS or other cluster',
      'Secrets, pod, watch, pod log',
      'SelfSubjectAccessReview checks',
    ]),

    card(cluster, { fill: '#EEF5FC', stroke: '#9CC3E8', dashed: true, radius: 18 }),
    text(cluster.x + 22, cluster.y + 36, 'Build namespace', { size: 19, weight: 'bold', color: COLORS.darkBlue }),
    ...titledCard(pod, 'kaniko pod', COLORS.blue, [
      'init container download-context',
      '   gets the archive with a read-only SAS',
      'container kaniko (osscontainertools)',
      '   builds the Dockerfile, no privileges',
    ]),
    card({ x: 956, y: 426, width: 150, height: 118 }, { radius: 10 }),
    text(972, 456, 'Secret', { size: 16, weight: 'bold' }),
    text(972, 482, 'registry', { size: 16, color: COLORS.muted }),
    text(972, 506, 'config.json', { size: 15, color: COLORS.muted, family: MONO }),
    card({ x: 1150, y: 426, width: 150, height: 118 }, { radius: 10 }),
    text(1166, 456, 'Secret', { size: 16, weight: 'bold' }),
    text(1166, 482, 'context SAS', { size: 16, color: COLORS.muted }),
    text(1166, 506, 'both owned', { size: 15, color: COLORS.muted }),
    text(1166, 527, 'by the pod', { size: 15, color: COLORS.muted }),

    ...titledCard(registry, 'Container registry', COLORS.orange, [
      'ACR, Docker Hub or another registry',
      'repository:tag for every tag you list',
    ]),

    // 1: the agent uploads the archive.
    arrow([[370, 216], [515, 216]], COLORS.blue),
    stepLabel(384, 184, 1, ['Upload']),
    text(384, 246, 'only if new', { size: 15, color: COLORS.muted }),
    // 2: the agent creates the Secrets and the pod.
    arrow([[370, 420], [515, 420]], COLORS.blue),
    stepLabel(384, 390, 2, ['Create']),
    // 5: the log streams back to the agent.
    arrow([[515, 462], [375, 462]], COLORS.green),
    stepLabel(384, 492, 5, ['Log stream']),
    // 6: the agent deletes the pod and the Secrets.
    arrow([[370, 530], [515, 530]], COLORS.muted, true),
    stepLabel(384, 566, 6, ['Clean up']),
    text(384, 612, 'pod and Secrets, also after', { size: 15, color: COLORS.muted }),
    text(384, 632, 'a failure or a cancel', { size: 15, color: COLORS.muted }),
    // The API server starts the pod in the namespace.
    arrow([[850, 470], [925, 470]], COLORS.blue),
    text(858, 500, 'starts', { size: 15, color: COLORS.muted }),
    text(858, 520, 'the pod', { size: 15, color: COLORS.muted }),
    // 3: the pod downloads the archive from storage.
    arrow([[850, 232], [950, 232]], COLORS.blue),
    stepLabel(866, 198, 3, []),
    text(860, 268, 'Download', { size: 15, weight: 'bold' }),
    // 4: kaniko pushes the image to the registry.
    arrow([[1128, 402], [1128, 606]], COLORS.orange),
    stepLabel(1150, 588, 4, ['Build and push']),

    text(40, 686, 'Shown with the default context delivery. With contextDelivery: direct, the agent streams the', { size: 16, color: COLORS.muted }),
    text(40, 708, 'archive into the pod through the API server instead, and no storage account is needed.', { size: 16, color: COLORS.muted }),
    text(40, 738, 'The kaniko pod gets no Kubernetes API token.', { size: 16, color: COLORS.muted }),
  ];
  return svgDocument(body, COLORS.paper);
}
