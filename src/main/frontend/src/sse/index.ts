export { SseParser, sseTransport, type SseEvent } from './sse';
