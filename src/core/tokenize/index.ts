/** Tokenizer engine: any model's tokenizer.json, structure markers, example formats, token offsets. */
export { loadTokenizer, tokenizerFromJSON, HfTokenizer } from './tokenizer';
export type { Tokenizer, Encoding, AddedToken } from './tokenizer';
export { findLocalHfTokenizers, hfHubCacheDir } from './hfcache';
export { MARKERS } from './markers';
export type { Marker } from './markers';
export { UnsupportedTokenizerError } from './normalizer';
export { serializeExample, DEFAULT_BUDGETS, FORMAT_NAMES, FormatUnavailableError } from './format';
export type { FormatName, Budgets, ExampleInput, SerializedExample, SectionInfo } from './format';
