// Placeholder: worker-thread entry (owned by the foundation / editor work).
export {};
