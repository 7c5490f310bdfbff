/** The thread script for source runs (tests, benchmarks): `hooks.tokenWorkers.script` and runPipelineInThread's script may point here. */
import { runThreadIfAsked } from './index';

runThreadIfAsked();
