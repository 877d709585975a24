// Draws the project's icons as SVG: a shipping container in isometric view (the container
// image) with a round badge that contains an upward arrow (build and push). Both icons use one
// 128x128 view box. The 32x32 task icon has fewer, wider ridges and a larger badge so that
// each detail stays at least a pixel wide after scaling.

const VIEW_BOX_SIZE = 128;

const COLORS = {
  top: '#63B7F4',
  side: '#1F78CC',
  sideRidge: '#175FAA',
  end: '#0D4F9E',
  endSeam: '#0A3F80',
  badge: '#F28C1B',
  arrow: '#FFFFFF',
};

/**
 * Layouts in view-box units. `front` is the lowest corner of the container, where its long
 * side meets its door end. `ridgeWidth` is a fraction of the long side.
 */
export const LAYOUTS = {
  extension: {
    container: { front: [38, 106], longSide: 72, shortSide: 34, height: 44 },
    ridges: 5,
    ridgeWidth: 0.035,
    badge: { center: [102, 102], radius: 24, margin: 4 },
  },
  task: {
    container: { front: [40, 110], longSide: 76, shortSide: 36, height: 50 },
    ridges: 3,
    ridgeWidth: 0.06,
    badge: { center: [96, 96], radius: 30, margin: 6 },
  },
};

function round(value) {
  return Number(value.toFixed(2));
}

function polygon(corners, color, extra = '') {
  const list = corners.map(([x, y]) => `${round(x)},${round(y)}`).join(' ');
  return `<polygon points="${list}" fill="${color}"${extra}/>`;
}

function offset(start, ...vectors) {
  return vectors.reduce(([x, y], [dx, dy]) => [x + dx, y + dy], start);
}

/**
 * Returns a vertical strip on a face that runs from `origin` along `edge`, centred at
 * fraction `at` of the edge and `width` of it wide, inset from the top and bottom.
 */
function strip(origin, edge, height, at, width, color) {
  const inset = height * 0.12;
  const start = offset(origin, [edge[0] * (at - width / 2), edge[1] * (at - width / 2)]);
  const end = offset(origin, [edge[0] * (at + width / 2), edge[1] * (at + width / 2)]);
  const corners = [
    offset(start, [0, -inset]),
    offset(end, [0, -inset]),
    offset(end, [0, inset - height]),
    offset(start, [0, inset - height]),
  ];
  return polygon(corners, color);
}

/** Returns the container's SVG shapes: door end on the left, ridged long side on the right, roof on top. */
function containerShapes(layout) {
  const { front, longSide, shortSide, height } = layout.container;
  // Isometric axes at a 2:1 slope: going back along the door end and along the long side.
  const endEdge = [-shortSide, -shortSide / 2];
  const sideEdge = [longSide, -longSide / 2];
  const up = [0, -height];

  const shapes = [
    polygon([front, offset(front, endEdge), offset(front, endEdge, up), offset(front, up)], COLORS.end),
    polygon([front, offset(front, sideEdge), offset(front, sideEdge, up), offset(front, up)], COLORS.side),
    polygon(
      [offset(front, up), offset(front, endEdge, up), offset(front, endEdge, sideEdge, up), offset(front, sideEdge, up)],
      COLORS.top,
    ),
    strip(front, endEdge, height, 0.5, 0.07, COLORS.endSeam),
  ];
  for (let index = 1; index <= layout.ridges; index += 1) {
    const at = index / (layout.ridges + 1);
    shapes.push(strip(front, sideEdge, height, at, layout.ridgeWidth, COLORS.sideRidge));
  }
  return shapes.join('');
}

function arrowShape(badge) {
  const [x, y] = badge.center;
  const radius = badge.radius;
  const shaft = 0.2 * radius;
  const head = 0.52 * radius;
  const neck = y - 0.05 * radius;
  const corners = [
    [x, y - 0.62 * radius],
    [x + head, neck],
    [x + shaft, neck],
    [x + shaft, y + 0.6 * radius],
    [x - shaft, y + 0.6 * radius],
    [x - shaft, neck],
    [x - head, neck],
  ];
  const stroke = ` stroke="${COLORS.arrow}" stroke-width="${round(0.08 * radius)}" stroke-linejoin="round"`;
  return polygon(corners, COLORS.arrow, stroke);
}

/**
 * Builds the SVG document of one icon, `pixelSize` pixels square. The container is masked
 * around the badge, so a transparent ring separates the two on light and dark backgrounds.
 */
export function iconSvg(layout, pixelSize) {
  const { center, radius, margin } = layout.badge;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${pixelSize}" height="${pixelSize}" viewBox="0 0 ${VIEW_BOX_SIZE} ${VIEW_BOX_SIZE}">`,
    '<defs><mask id="badge-cut">',
    `<rect width="${VIEW_BOX_SIZE}" height="${VIEW_BOX_SIZE}" fill="#fff"/>`,
    `<circle cx="${center[0]}" cy="${center[1]}" r="${radius + margin}" fill="#000"/>`,
    '</mask></defs>',
    `<g mask="url(#badge-cut)">${containerShapes(layout)}</g>`,
    `<circle cx="${center[0]}" cy="${center[1]}" r="${radius}" fill="${COLORS.badge}"/>`,
    arrowShape(layout.badge),
    '</svg>',
  ].join('');
}
