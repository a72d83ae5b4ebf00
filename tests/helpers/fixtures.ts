// The Claude Code captures vendored in tests/fixtures/claude-code (see its README): the tests need nothing
// outside the repository.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CLAUDE_CODE_FIXTURES = join(import.meta.dirname, '../fixtures/claude-code');
/** The same, as a file: URL ending in '/' for `new URL(file, base)`. */
export const CLAUDE_CODE_FIXTURES_URL = pathToFileURL(CLAUDE_CODE_FIXTURES + '/');
