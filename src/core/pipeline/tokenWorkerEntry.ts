/** A token-worker script for source runs (tests, benchmarks): `hooks.tokenWorkers.script` may point here. */
import { runTokenWorkerIfAsked } from './tokenWorker';

runTokenWorkerIfAsked();
