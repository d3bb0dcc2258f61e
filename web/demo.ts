/**
 * The demo page's script (src/routes/home.ts): draws the typed seed's face with the client API, morphs towards a
 * second seed with the slider, reports the backend and timings, and offers the face as PNG.
 *
 * The canvas carries `data-renders` (a counter) and `data-drawn` (what it shows, as JSON) so that tests and
 * benchmarks can wait for a frame without guessing.
 */
import { createFaceGenerator, type FaceGenerator } from './face-generator';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('face-form');
const seedInput = $<HTMLInputElement>('seed');
const toInput = $<HTMLInputElement>('to');
const sizeSelect = $<HTMLSelectElement>('size');
const slider = $<HTMLInputElement>('morph');
const sliderValue = $<HTMLOutputElement>('morph-value');
const canvas = $<HTMLCanvasElement>('browser-face');
const serverImg = $<HTMLImageElement>('server-face');
const serverLink = $<HTMLAnchorElement>('server-link');
const download = $<HTMLButtonElement>('download');
const status = $<HTMLElement>('status');

/** What the canvas should show. */
interface View {
  seed: string;
  to: string;
  t: number;
  size: number;
}

const params = new URLSearchParams(location.search);
seedInput.value = params.get('seed') ?? seedInput.value;
toInput.value = params.get('to') ?? toInput.value;

let generator: FaceGenerator | undefined;
let shown: ImageData | undefined;
let renders = 0;
// Slider moves arrive faster than WebGPU on a software adapter draws (~0.5 s a face): keep only the newest request.
let wanted: View | undefined;
let drawing = false;

function view(): View {
  return { seed: seedInput.value, to: toInput.value, t: Number(slider.value) / 100, size: Number(sizeSelect.value) };
}

function showServerFace({ seed, size }: View): void {
  const url = `/face/${encodeURIComponent(seed)}.png?size=${size}`;
  serverImg.src = url;
  serverImg.alt = `The face for seed “${seed}” rendered by the server`;
  serverLink.href = url;
}

async function draw(): Promise<void> {
  if (drawing || !generator) return;
  drawing = true;
  while (wanted) {
    const req = wanted;
    wanted = undefined;
    try {
      const face = req.t === 0 ? await generator.generate(req.seed, { size: req.size }) : await generator.morph(req.seed, req.to, req.t, { size: req.size });
      canvas.width = canvas.height = req.size;
      canvas.getContext('2d')!.putImageData(face.imageData, 0, 0);
      canvas.setAttribute('aria-label', req.t === 0 ? `Face for seed “${req.seed}”` : `Face ${Math.round(req.t * 100)} % of the way from “${req.seed}” to “${req.to}”`);
      shown = face.imageData;
      download.disabled = false;
      $('ms').textContent = `${face.ms.toFixed(1)} ms`;
      if (renders === 0) $('first-face').textContent = `${Math.round(performance.now())} ms`;
      canvas.dataset.drawn = JSON.stringify(req);
      canvas.dataset.renders = String(++renders);
      status.textContent = '';
    } catch (error) {
      status.textContent = `Could not draw the face: ${String(error)}`;
    }
  }
  drawing = false;
}

function update(server: boolean): void {
  const req = view();
  sliderValue.textContent = `${slider.value} %`;
  if (!req.seed) return;
  if (server) showServerFace(req);
  wanted = req;
  void draw();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  update(true);
});
slider.addEventListener('input', () => update(false));
toInput.addEventListener('change', () => update(false));
sizeSelect.addEventListener('change', () => update(true));
download.addEventListener('click', () => {
  if (!generator || !shown) return;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(generator.toPng(shown));
  link.download = `${seedInput.value || 'face'}.png`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
});

showServerFace(view());
createFaceGenerator().then(
  (g) => {
    generator = g;
    $('backend').textContent = g.backend;
    document.body.dataset.backend = g.backend;
    update(false);
  },
  (error) => {
    status.textContent = `The in-browser decoder could not start: ${String(error)}`;
    document.body.dataset.backend = 'none';
  },
);
