/**
 * What `<seedface-avatar>` and `<seedface-morph>` share: a shadow root that shows one thing (the face, or a neutral
 * box while it loads or when it fails), the route's parameters read from attributes of the same names, one render per
 * change however many attributes a script sets at once (only the newest render may show its result), the `local`
 * runtime imported on first use and shared by the page, and failure: the box, a console warning that names what
 * was wrong, and an `error` event.
 */
import { frameSides, type Sides } from '../src/http/frame-size';
import type { Query } from './local-faces.js';

type LocalFaces = typeof import('./local-faces.js');
let local: Promise<LocalFaces> | undefined;

/**
 * The in-page runtime (web/local-faces.ts: ORT, the model, the worker's drawing code), imported from beside this
 * module when the first `local` element renders, and then shared by every element on the page. Pages without
 * `local` never load it.
 */
export function localFaces(): Promise<LocalFaces> {
  return (local ??= import('./local-faces.js'));
}

/**
 * Why `url` gave no image: the worker's error detail (a 400's names the parameter), else the status or what the
 * network said. It asks again, since an `<img>` reports no reason.
 */
export async function failureOf(url: string): Promise<string> {
  try {
    const response = await fetch(url);
    if (response.ok) return 'the image could not be decoded';
    const body: { detail?: string } = await response.json().catch(() => ({}));
    return body.detail ?? `HTTP ${response.status}`;
  } catch (error) {
    return `the image could not be loaded (${error})`;
  }
}

/** The base of the seedface elements: see the module comment. */
export abstract class SeedfaceElement extends HTMLElement {
  /** The route's parameters this element reads from its attributes of the same names. */
  protected abstract readonly params: readonly string[];
  readonly #root = this.attachShadow({ mode: 'open' });
  #canvas?: HTMLCanvasElement;
  #queued = false;
  #renders = 0;

  connectedCallback(): void {
    this.rerender();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.rerender();
  }

  /** Renders again once the current task has made all its attribute changes. */
  protected rerender(): void {
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      if (!this.isConnected) return;
      const id = ++this.#renders;
      const current = () => id === this.#renders;
      // the space is held from the start: no layout shift when the face arrives
      if (!this.#root.firstChild) this.show(this.#box());
      this.render(current).catch((error: unknown) => {
        if (current()) this.fail(error instanceof Error ? error.message : String(error));
      });
    });
  }

  /**
   * Draws the element; `current()` turns false once a newer render has begun, and from then on it must show nothing.
   * What it throws (a message naming the bad option) is shown as the failure.
   */
  protected abstract render(current: () => boolean): Promise<void>;

  /** The size the route would draw, in CSS pixels; the route's default where an attribute is absent or no number. */
  protected sides(): Sides {
    const side = (name: string) => {
      const value = this.params.includes(name) ? Number(this.getAttribute(name) ?? NaN) : NaN;
      return value > 0 ? value : undefined;
    };
    return frameSides({ size: side('size'), width: side('width'), height: side('height') });
  }

  /** The screen's pixel ratio rounded up, at most 3, and at most what keeps the larger side within `maxSide`. */
  protected pixelRatio(maxSide: number, [width, height]: Sides): number {
    return Math.max(1, Math.min(3, Math.ceil(devicePixelRatio), Math.floor(maxSide / Math.max(width, height))));
  }

  /** The route's parameters among the attributes, and `strengths="smile=0.8 age=-0.5"` as parameters of their own. */
  protected query(): Query {
    const entries: [string, string][] = [];
    for (const name of this.params) {
      const value = this.getAttribute(name);
      if (value !== null) entries.push([name, value]);
    }
    for (const pair of this.getAttribute('strengths')?.split(/\s+/) ?? []) {
      const [name, ...value] = pair.split('=');
      if (name) entries.push([name, value.join('=')]);
    }
    // fromEntries makes every name an own property, `__proto__` too, so the route's check sees it
    return Object.fromEntries(entries);
  }

  /** Shows `node` as the element's one child, labelled with the `alt` attribute (none: hidden from screen readers). */
  protected show(node: HTMLElement): void {
    const alt = this.getAttribute('alt') ?? '';
    if (node instanceof HTMLImageElement) node.alt = alt;
    else if (alt) {
      node.setAttribute('role', 'img');
      node.setAttribute('aria-label', alt);
      node.removeAttribute('aria-hidden');
    } else node.setAttribute('aria-hidden', 'true');
    if (this.#root.firstChild !== node) this.#root.replaceChildren(node);
  }

  /** The element's canvas, `pixels` in size and laid out at `sides` CSS pixels, shown; its 2D context. */
  protected canvas([pixelWidth, pixelHeight]: Sides, [width, height]: Sides): CanvasRenderingContext2D {
    const canvas = (this.#canvas ??= document.createElement('canvas'));
    canvas.setAttribute('part', 'face');
    Object.assign(canvas, { width: pixelWidth, height: pixelHeight });
    Object.assign(canvas.style, { width: `${width}px`, height: `${height}px` });
    this.show(canvas);
    return canvas.getContext('2d')!;
  }

  /** A neutral box of the element's size (round for `shape="circle"`): the face's place while it loads or if it fails. */
  #box(): HTMLElement {
    const [width, height] = this.sides();
    const box = document.createElement('span');
    box.setAttribute('part', 'placeholder');
    Object.assign(box.style, {
      display: 'inline-block',
      width: `${width}px`,
      height: `${height}px`,
      background: '#d8d8d8',
      borderRadius: this.getAttribute('shape') === 'circle' ? '50%' : '0',
    });
    return box;
  }

  /** Shows the neutral box for good, warns naming what was wrong, and fires `error`. */
  protected fail(reason: string): void {
    console.warn(`<${this.localName}>: ${reason}`);
    this.show(this.#box());
    this.dispatchEvent(new Event('error'));
  }

  /** Fires `load`: the face is shown. */
  protected loaded(): void {
    this.dispatchEvent(new Event('load'));
  }
}
