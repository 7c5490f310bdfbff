/**
 * The one place the pipeline touches the other engine stages (history, chunks+context, tokens).
 * Keeps their exact call shapes out of the orchestration code.
 */
export { openRepository } from '../git/index';
export { createChunker } from '../chunk/index';
export { loadTokenizer, tokenizerFile, tokenizerSha256, serializeExample, MARKERS } from '../tokenize/index';
