/**
 * The demo page's script (src/routes/home.ts): draws the typed seed's face with the client API, morphs towards a
 * second seed with the slider, reports the backend and timings, offers the face as PNG, WebP or JPEG, and fills the
 * embed panel: the `<img>` and `<seedface-avatar>` snippets of the chosen face, each previewed by its own markup.
 *
 * The canvas carries `data-renders`, a count of the frames drawn, so that tests and benchmarks can wait for a frame
 * without guessing.
 */
import { seed as seedSchema } from '../src/http/params';
import { IMAGE_FORMATS, type ImageFormat } from '../src/runtime/encode';
import { createFaceGenerator, type FaceGenerator } from './face-generator';
import { faceSrcset, faceUrl, SERVICE } from './face-url';

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
const downloadFormat = $<HTMLSelectElement>('download-format');
const status = $<HTMLElement>('status');

const attributesBox = $<HTMLFieldSetElement>('attributes');
const embedLocal = $<HTMLInputElement>('embed-local');

/** What the canvas should show. */
interface View {
  seed: string;
  to: string;
  t: number;
  size: number;
  /** Non-zero attribute strengths as the sliders spell them (the same spelling goes into the server URL). */
  attributes: Record<string, string>;
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

/**
 * How long the time per face is measured for, once after the first face. One face is no measure: a page that is not
 * cross-origin isolated reads a coarse clock (0.1 ms in Chromium, 1 ms or coarser in other browsers), on which a fast
 * face took "0.0 ms". Drawing the face again until this much time has passed makes the clock's step a small part.
 */
const TIMING_WINDOW_MS = 100;

/** Mean ms per face of `req`'s face, drawn (not shown) again and again for {@link TIMING_WINDOW_MS}. */
async function timePerFace(g: FaceGenerator, req: View): Promise<number> {
  const started = performance.now();
  let faces = 0;
  do {
    await g.generate(req.seed, { size: req.size });
    faces++;
  } while (performance.now() - started < TIMING_WINDOW_MS);
  return (performance.now() - started) / faces;
}

function view(): View {
  const attributes: Record<string, string> = {};
  for (const input of attributesBox.querySelectorAll('input')) if (Number(input.value) !== 0) attributes[input.name] = input.value;
  return { seed: seedInput.value, to: toInput.value, t: Number(slider.value) / 100, size: Number(sizeSelect.value), attributes };
}

function showServerFace({ seed, size, attributes }: View): void {
  const query = new URLSearchParams({ size: String(size), ...attributes });
  const url = `/face/${encodeURIComponent(seed)}.png?${query}`;
  serverImg.src = url;
  serverImg.alt = `The face for seed “${seed}” rendered by the server`;
  serverLink.href = url;
  showEmbed({ seed, size, attributes });
}

/** The alt text of the embed snippets: not the seed, which may be an e-mail address. */
const EMBED_ALT = 'Avatar';

/**
 * The embed panel for the face `view` names: an `<img>` of it (src, srcset, width, height, alt) and a
 * `<seedface-avatar>` of it (with `local` if ticked), each shown as markup beside the element that markup makes.
 */
function showEmbed({ seed, size, attributes }: Pick<View, 'seed' | 'size' | 'attributes'>): void {
  const strengths = Object.entries(attributes);
  const options = { size, attributes: Object.fromEntries(strengths.map(([name, s]) => [name, Number(s)])) };
  const img = document.createElement('img');
  // attributes in the order the snippet lists them
  img.setAttribute('src', faceUrl(seed, options));
  img.setAttribute('srcset', faceSrcset(seed, options));
  img.setAttribute('width', String(size));
  img.setAttribute('height', String(size));
  img.setAttribute('alt', EMBED_ALT);
  $('embed-img-preview').replaceChildren(img);
  $('embed-img').textContent = img.outerHTML;

  const avatar = document.createElement('seedface-avatar');
  avatar.setAttribute('seed', seed);
  avatar.setAttribute('size', String(size));
  if (strengths.length) avatar.setAttribute('strengths', strengths.map(([name, s]) => `${name}=${s}`).join(' '));
  avatar.setAttribute('alt', EMBED_ALT);
  if (embedLocal.checked) avatar.setAttribute('local', '');
  $('embed-avatar-preview').replaceChildren(avatar);
  $('embed-avatar').textContent = `<script type="module" src="${new URL('web/seedface.js', SERVICE).href}"></script>\n${avatar.outerHTML}`;
}

async function draw(): Promise<void> {
  if (drawing || !generator) return;
  drawing = true;
  while (wanted) {
    const req = wanted;
    wanted = undefined;
    try {
      const options = { size: req.size, attributes: Object.fromEntries(Object.entries(req.attributes).map(([name, s]) => [name, Number(s)])) };
      const face = req.t === 0 ? await generator.generate(req.seed, options) : await generator.morph(req.seed, req.to, req.t, options);
      canvas.width = canvas.height = req.size;
      canvas.getContext('2d')!.putImageData(face.imageData, 0, 0);
      canvas.setAttribute('aria-label', req.t === 0 ? `Face for seed “${req.seed}”` : `Face ${Math.round(req.t * 100)} % of the way from “${req.seed}” to “${req.to}”`);
      shown = face.imageData;
      download.disabled = false;
      if (renders === 0) $('first-face').textContent = `${Math.round(performance.now())} ms`;
      canvas.dataset.renders = String(++renders);
      status.textContent = '';
      // Requests made meanwhile wait in `wanted`, so the measurement has the decoder to itself.
      if (renders === 1) $('ms').textContent = `${(await timePerFace(generator, req)).toFixed(1)} ms`;
    } catch (error) {
      status.textContent = `Could not draw the face: ${String(error)}`;
    }
  }
  drawing = false;
}

function update(server: boolean): void {
  const req = view();
  sliderValue.textContent = `${slider.value} %`;
  // The server's own seed rule, so the page never draws a face the server would refuse.
  for (const seed of req.t === 0 ? [req.seed] : [req.seed, req.to]) {
    const valid = seedSchema.safeParse(seed);
    if (!valid.success) {
      status.textContent = `Not a seed: ${valid.error.issues[0]?.message}.`;
      return;
    }
  }
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
embedLocal.addEventListener('change', () => showEmbed(view()));
download.addEventListener('click', async () => {
  if (!generator || !shown) return;
  const format = downloadFormat.value as ImageFormat;
  try {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await generator.encode(shown, format));
    link.download = `${seedInput.value || 'face'}.${IMAGE_FORMATS[format].extension}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    status.textContent = `Could not encode the face: ${String(error)}`;
  }
});

/** One labelled slider per attribute of the model: the canvas follows while dragging, the server image on release. */
function addAttributeSliders(attributes: FaceGenerator['attributes']): void {
  for (const { name, positive } of attributes) {
    const id = `attribute-${name}`;
    const label = Object.assign(document.createElement('label'), { htmlFor: id, textContent: `${name} (+ ${positive})` });
    const input = Object.assign(document.createElement('input'), { type: 'range', id, name, min: '-2', max: '2', step: '0.1', value: '0' });
    const output = Object.assign(document.createElement('output'), { textContent: '0' });
    output.setAttribute('for', id);
    input.addEventListener('input', () => {
      output.textContent = input.value;
      update(false);
    });
    input.addEventListener('change', () => showServerFace(view()));
    attributesBox.append(label, input, output);
  }
  attributesBox.hidden = attributes.length === 0;
}

showServerFace(view());
createFaceGenerator().then(
  (g) => {
    generator = g;
    addAttributeSliders(g.attributes);
    $('backend').textContent = g.backend;
    document.body.dataset.backend = g.backend;
    update(false);
  },
  (error) => {
    status.textContent = `The in-browser decoder could not start: ${String(error)}`;
    document.body.dataset.backend = 'none';
  },
);
