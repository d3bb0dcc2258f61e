import { describe, expect, it } from 'vitest';
import { NOTES_MARKER, withKeptNotes } from '../../bench/report';

describe('withKeptNotes', () => {
  const report = '# `npm run bench`\n\n| new table |\n';

  it('keeps the previous file from the notes marker on, after the new report', () => {
    const previous = `# \`npm run bench\`\n\n| old table |\n\n${NOTES_MARKER}\n\n## Budget\n\nmeasured by hand\n`;
    const written = withKeptNotes(report, previous);
    expect(written).toBe(`${report}\n${NOTES_MARKER}\n\n## Budget\n\nmeasured by hand\n`);
    expect(written).not.toContain('old table');
  });

  it('writes the report alone when there is no previous file or no marker in it', () => {
    expect(withKeptNotes(report, undefined)).toBe(report);
    expect(withKeptNotes(report, '# old\n\n| old table |\n')).toBe(report);
  });
});
