// Placeholder: browser code of the webview panels.
export {};
