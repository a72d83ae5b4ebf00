// Where the shared Claude Code captures are: CI puts shared/ beside the clone; a developer checkout
// of this workplace has it at /work/shared; TRACEMILL_SHARED_DIR overrides both.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const candidates = [process.env.TRACEMILL_SHARED_DIR, join(import.meta.dirname, '../../../shared'), '/work/shared'].filter((d): d is string => !!d);
const shared = candidates.find((d) => existsSync(join(d, 'fixtures/claude-code')));
if (!shared) throw new Error(`cannot find shared/fixtures/claude-code (looked in ${candidates.join(', ')}); set TRACEMILL_SHARED_DIR`);

export const CLAUDE_CODE_FIXTURES = join(shared, 'fixtures/claude-code');
/** The same, as a file: URL ending in '/' for `new URL(file, base)`. */
export const CLAUDE_CODE_FIXTURES_URL = pathToFileURL(CLAUDE_CODE_FIXTURES + '/');
