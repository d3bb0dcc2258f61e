/**
 * Minimal reader for uncompressed tar archives (ustar, with pax and GNU long-name records), enough for
 * WebDataset shards. It keeps the whole archive in memory: shards are ~11 MB, and a streaming parser would
 * add code without a use here.
 */

/** One regular file inside a tar archive. */
export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

/** A NUL-terminated ASCII field of a header. */
function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Size field: octal text, or base-256 when the high bit of the first byte is set (GNU, files ≥ 8 GiB). */
function sizeField(header: Uint8Array): number {
  if (header[124] & 0x80) {
    let size = 0;
    for (let i = 125; i < 136; i++) size = size * 256 + header[i];
    return size;
  }
  return parseInt(field(header, 124, 12).trim() || '0', 8);
}

/** The `path` record of a pax extended header ("<len> key=value\n" records), if any. */
function paxPath(data: Uint8Array): string | undefined {
  const text = decoder.decode(data);
  for (const line of text.split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The regular files of a tar archive, in archive order. Directories, links and other entry types are skipped;
 * a truncated archive throws rather than yielding a partial file.
 */
export function* readTar(archive: Uint8Array): Generator<TarEntry> {
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    const size = sizeField(header);
    const type = String.fromCharCode(header[156] || 0x30);
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new Error(`tar: entry at byte ${offset} runs past the end of the archive`);
    const data = archive.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = field(data, 0, data.length);
    } else if (type === 'x') {
      longName = paxPath(data) ?? longName;
    } else if (type === '0' || type === '7') {
      const prefix = field(header, 345, 155);
      const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
      longName = undefined;
      yield { name, data };
    } else {
      longName = undefined; // a long name applies only to the entry right after it
    }
  }
}
