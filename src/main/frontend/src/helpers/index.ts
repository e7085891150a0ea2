// Helpers an app may use beside the client; the client itself needs none of them.
export { applyTaskUpdate } from './tasks';
export { backoffDelay, CloseCode, wsUrlFromLocation } from './misc';
