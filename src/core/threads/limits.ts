/** Resource limits shared by the pipeline's threads and the editor's engine worker (a leaf module: no imports). */

/**
 * Young generation of every pipeline thread (the pipeline thread, chunk and token threads, the editor's
 * engine worker): 24 MiB is 8 MiB semi-spaces instead of V8's 16. These threads allocate short-lived
 * objects at a high rate, so each one's young generation fills up to its maximum. Tokio with `--overlap`
 * (four busy threads): peak RSS 944–985 MiB instead of 1,002–1,056 MiB, at the same CPU time within the
 * machine's noise; 4 MiB semi-spaces cost ~15% more CPU.
 */
export const THREAD_YOUNG_MB = 24;
