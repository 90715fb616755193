import type { Tile, Widget } from './widgets';

/** Columns of a mosaic layout. */
export const MOSAIC_COLUMNS = 48;

/** Widgets laid out left to right in tiles of one size, wrapping to a new row when full. */
export interface Band {
  widgets: readonly Widget[];
  width: number;
  height: number;
}

export const HEADER_HEIGHT = 4;
/** Three charts side by side. */
export const CHART = { width: 16, height: 12 } as const;

/** A full-width band holding one text widget. */
export const header = (widget: Widget): Band => ({ widgets: [widget], width: MOSAIC_COLUMNS, height: HEADER_HEIGHT });

export const charts = (widgets: readonly Widget[]): Band => ({ widgets, ...CHART });

/**
 * Stacks the bands top to bottom; each starts on a fresh row below the previous one, so no two
 * tiles overlap and none crosses the right edge.
 */
export function mosaic(bands: readonly Band[]): Tile[] {
  const tiles: Tile[] = [];
  let top = 0;
  for (const band of bands) {
    if (band.width < 1 || band.width > MOSAIC_COLUMNS) throw new Error(`tile width ${band.width} is outside 1..${MOSAIC_COLUMNS}`);
    const perRow = Math.floor(MOSAIC_COLUMNS / band.width);
    band.widgets.forEach((widget, i) => {
      tiles.push({ xPos: (i % perRow) * band.width, yPos: top + Math.floor(i / perRow) * band.height, width: band.width, height: band.height, widget });
    });
    top += Math.ceil(band.widgets.length / perRow) * band.height;
  }
  return tiles;
}

export function dashboard(displayName: string, bands: readonly Band[]): Record<string, unknown> {
  return { displayName, mosaicLayout: { columns: MOSAIC_COLUMNS, tiles: mosaic(bands) } };
}
