/**
 * Overlaid histograms drawn straight into an RGB raster: the nearest-training-face distance of generated
 * faces against that of held-out real faces. No plotting library: a few rectangles and the bitmap font suffice.
 */
import { CHAR_HEIGHT, CHAR_WIDTH, drawText } from './font';
import { solidImage, type RgbImage } from './image';
import { median } from './metrics';

type Rgb = readonly [number, number, number];

/** One distribution to draw. */
export interface Series {
  label: string;
  values: readonly number[];
  colour: Rgb;
}

const WIDTH = 720, HEIGHT = 420;
const LEFT = 64, RIGHT = 24, TOP = 56, BOTTOM = 64;
const BINS = 30;
const INK: Rgb = [40, 40, 40];

/** Blends `rgb` over the pixels of a rectangle with opacity `alpha` (overlapping bars stay visible). */
function fillRect(image: RgbImage, x0: number, y0: number, x1: number, y1: number, rgb: Rgb, alpha = 1): void {
  for (let y = Math.max(0, Math.round(y0)); y < Math.min(image.height, Math.round(y1)); y++) {
    for (let x = Math.max(0, Math.round(x0)); x < Math.min(image.width, Math.round(x1)); x++) {
      const i = (y * image.width + x) * 3;
      for (let c = 0; c < 3; c++) image.data[i + c] = Math.round(image.data[i + c] * (1 - alpha) + rgb[c] * alpha);
    }
  }
}

/** A round tick step (1, 2 or 5 times a power of ten) that gives about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / count, power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw * 0.999) as number);
}

/** Decimals needed to print multiples of `step`. */
function decimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** Shares of `values` per bin over [lo, hi); the top edge falls into the last bin. */
function binShares(values: readonly number[], lo: number, hi: number): number[] {
  const shares = new Array<number>(BINS).fill(0);
  for (const v of values) shares[Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * BINS)))] += 1 / values.length;
  return shares;
}

/**
 * Renders the series as overlaid histograms of per-bin shares (so sets of different sizes compare), with a
 * dashed line at each median, axis ticks and a legend.
 */
export function histogramPlot(title: string, xLabel: string, series: readonly Series[]): RgbImage {
  const image = solidImage(WIDTH, HEIGHT, [255, 255, 255]);
  const finite = series.map((s) => ({ ...s, values: s.values.filter(Number.isFinite) }));
  const all = finite.flatMap((s) => s.values);
  drawText(image, title, LEFT, 16, INK, 2);
  const plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
  fillRect(image, LEFT, TOP + plotH, LEFT + plotW, TOP + plotH + 1, INK); // x axis
  fillRect(image, LEFT - 1, TOP, LEFT, TOP + plotH + 1, INK); // y axis
  drawText(image, xLabel, LEFT + (plotW - xLabel.length * CHAR_WIDTH) / 2, HEIGHT - 20, INK);
  if (all.length === 0) {
    drawText(image, 'no data', LEFT + plotW / 2 - 21, TOP + plotH / 2, INK);
    return image;
  }
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const shares = finite.map((s) => binShares(s.values, lo, hi));
  const top = Math.max(...shares.flat()) * 1.25; // headroom for the legend
  const xOf = (v: number) => LEFT + ((v - lo) / (hi - lo)) * plotW;
  const yOf = (share: number) => TOP + plotH - (share / top) * plotH;

  finite.forEach((s, k) => {
    shares[k].forEach((share, bin) => {
      if (share > 0) fillRect(image, LEFT + (bin * plotW) / BINS + 1, yOf(share), LEFT + ((bin + 1) * plotW) / BINS, TOP + plotH, s.colour, 0.55);
    });
    const m = xOf(median(s.values));
    for (let y = TOP; y < TOP + plotH; y += 8) fillRect(image, m - 1, y, m + 1, y + 4, s.colour); // dashed median line
  });

  const xStep = tickStep(hi - lo, 6);
  for (let v = Math.ceil(lo / xStep) * xStep; v <= hi + 1e-9; v += xStep) {
    const x = xOf(v);
    fillRect(image, x, TOP + plotH, x + 1, TOP + plotH + 5, INK);
    const text = v.toFixed(decimals(xStep));
    drawText(image, text, x - (text.length * CHAR_WIDTH) / 2, TOP + plotH + 9, INK);
  }
  const yStep = tickStep(top, 5);
  for (let share = 0; share <= top + 1e-12; share += yStep) {
    const y = yOf(share);
    fillRect(image, LEFT - 5, y, LEFT, y + 1, INK);
    const text = `${(share * 100).toFixed(decimals(yStep * 100))}%`;
    drawText(image, text, LEFT - 8 - text.length * CHAR_WIDTH, y - CHAR_HEIGHT / 2, INK);
  }

  finite.forEach((s, k) => {
    const y = TOP + 6 + k * 14;
    const text = `${s.label} (n=${s.values.length}, median ${median(s.values).toFixed(2)})`;
    const x = LEFT + plotW - text.length * CHAR_WIDTH - 22;
    fillRect(image, x, y, x + 12, y + CHAR_HEIGHT, s.colour);
    drawText(image, text, x + 18, y, INK);
  });
  return image;
}
