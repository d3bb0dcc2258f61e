/**
 * The attribute figure: one row per attribute, and for each of a few seeds one column per strength, with the
 * attribute names on the left and the strengths above the columns.
 */
import { CHAR_HEIGHT, CHAR_WIDTH, drawText } from './font';
import { blit, solidImage, type RgbImage } from './image';

const INK = [40, 40, 40] as const;
const GAP = 2;
/** Extra space between two seeds' blocks of columns. */
const BLOCK_GAP = 10;

/** `tiles[row][seed][column]`: the face of seed `seed` with attribute `rows[row]` at strength `strengths[column]`. */
export function attributeGrid(rows: readonly string[], strengths: readonly number[], tiles: RgbImage[][][]): RgbImage {
  const size = tiles[0][0][0].width;
  const seeds = tiles[0].length;
  const left = Math.max(...rows.map((r) => r.length)) * CHAR_WIDTH + 8, top = CHAR_HEIGHT + 8;
  const blockW = strengths.length * (size + GAP) + BLOCK_GAP;
  const image = solidImage(left + seeds * blockW, top + rows.length * (size + GAP), [255, 255, 255]);
  const x = (seed: number, column: number) => left + seed * blockW + column * (size + GAP);
  for (let seed = 0; seed < seeds; seed++) {
    strengths.forEach((s, column) => {
      const label = s > 0 ? `+${s}` : String(s);
      drawText(image, label, x(seed, column) + (size - label.length * CHAR_WIDTH) / 2, 4, INK);
    });
  }
  rows.forEach((name, row) => {
    const y = top + row * (size + GAP);
    drawText(image, name, 4, y + (size - CHAR_HEIGHT) / 2, INK);
    tiles[row].forEach((faces, seed) => faces.forEach((face, column) => blit(image, face, x(seed, column), y)));
  });
  return image;
}
