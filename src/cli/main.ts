// Placeholder: the headless CLI `commit-corpus` (owned by the dataset issue).
console.log('commit-corpus: not built yet');
