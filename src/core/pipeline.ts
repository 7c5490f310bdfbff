// Placeholder: the whole pipeline history → chunks → context → tokens → examples → files (dataset issue).
export {};
