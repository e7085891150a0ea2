export { SseParser, sseTransport, sseUrlFromWsUrl, type SseEvent, type SseOptions } from './sse';
