/** Resource limits shared by the pipeline's threads and the editor's engine worker (a leaf module: no imports). */

/**
 * Young generation of every pipeline thread (the pipeline thread, chunk and token threads, the editor's
 * engine worker): 24 MiB is 8 MiB semi-spaces instead of V8's 16. These threads allocate short-lived
 * objects at a high rate, so each one's young generation fills up to its maximum (README, Benchmarks: the tuned limits).
 */
export const THREAD_YOUNG_MB = 24;
