/**
 * The image formats the service writes and what a response needs to know about each (content type, extension,
 * lossy, alpha). Kept apart from the encoders (./encoders) so that parameter parsing, which the browser bundle
 * shares, does not pull the codecs in.
 */

/** Formats, in the order the API lists them. */
export const FORMATS = ['png', 'webp', 'jpeg'] as const;
export type ImageFormat = (typeof FORMATS)[number];

/** Quality of the lossy formats when the request names none (why 85: docs/formats-notes.md). */
export const DEFAULT_QUALITY = 85;

/** What a response and a file name need to know about a format. */
export interface FormatInfo {
  contentType: string;
  /** File extension, without the dot. */
  extension: string;
  /** Takes `quality`. */
  lossy: boolean;
  /** Can carry transparency (a circle face needs it). */
  alpha: boolean;
}

export const FORMAT_INFO: Record<ImageFormat, FormatInfo> = {
  png: { contentType: 'image/png', extension: 'png', lossy: false, alpha: true },
  webp: { contentType: 'image/webp', extension: 'webp', lossy: true, alpha: true },
  jpeg: { contentType: 'image/jpeg', extension: 'jpg', lossy: true, alpha: false },
};

