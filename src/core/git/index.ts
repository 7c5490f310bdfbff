/**
 * Stage 1: the history engine. Streams one CommitRecord per commit (oldest first) with the changed
 * files against the first parent and their contents as text or a skip reason.
 *
 *   const repo = await openRepository('/path/to/repo');
 *   for await (const rec of repo.history({ languages: ['rust'] })) { ... }
 *   console.log(repo.stats());
 *   repo.close();
 */
export { openRepository, type Repository, type OpenOptions } from './repository';
export { GitError, type GitErrorCode } from './errors';
export { languageOf } from './languages';
export { matchesPathFilter } from './pathMatch';
export { globToRegExp, PathFilter } from './glob';
export { DEFAULT_MAX_FILE_BYTES, isBotAuthor, type HistoryOptions, type HistoryStats } from './options';
export type { CacheBudget } from './objects';
