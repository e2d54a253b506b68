import * as tf from "@tensorflow/tfjs";

let ready = false;

/**
 * TensorFlow.js for this module: production mode (no "install the node backend" banner, fewer checks) and the
 * cpu backend unless another one (for example wasm, chosen by the RL code) is already active.
 */
export function tfReady(): typeof tf {
  if (!ready) {
    tf.enableProdMode();
    if (!tf.engine().backendName) void tf.setBackend("cpu"); // synchronous for cpu: it has no async init
    ready = true;
  }
  return tf;
}
