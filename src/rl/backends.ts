/** The TensorFlow.js backends supplygym can run on, fastest first (the one list; no TensorFlow.js import here). */
export const BACKENDS = ["tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];
