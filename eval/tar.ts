/**
 * The regular files of an uncompressed tar archive (a WebDataset shard), read with tar-stream: ustar, pax and GNU
 * long names, streamed from disk one entry at a time.
 */
import { createReadStream } from 'node:fs';
import { extract } from 'tar-stream';

/** One regular file inside a tar archive. */
export interface TarEntry {
  name: string;
  data: Uint8Array;
}

/**
 * The regular files of the archive at `file`, in archive order. Directories, links and other entry types are
 * skipped; a truncated archive throws rather than yielding a partial file.
 */
export async function* readTar(file: string): AsyncGenerator<TarEntry> {
  const archive = extract();
  createReadStream(file)
    .on('error', (error) => archive.destroy(error))
    .pipe(archive);
  for await (const entry of archive) {
    // Every entry's body must be read (or drained) before tar-stream moves on to the next header.
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { type, name } = entry.header;
    if (type === 'file' || type === 'contiguous-file') yield { name, data: new Uint8Array(Buffer.concat(chunks)) };
  }
}
