package dev.tasksync.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * Serves Dapr's deliveries ({@code POST /task-updates}, one event or a bulk envelope) straight
 * from Reactor Netty, ahead of WebFlux: a delivery needs none of WebFlux's dispatch, filter and
 * security chains or per-request observations, which cost more than the fan-out itself. The
 * contract is unchanged: the app API token (constant-time), the body size limit, and Dapr's
 * SUCCESS / DROP / RETRY replies from {@link DaprIntake}. The subscription itself is still
 * declared through dapr-sdk-springboot ({@link TaskUpdatesSubscription}).
 */
public final class DaprRoute implements NettyRouteProvider {

    /** What a route does with a delivery's body; replies are Dapr's SUCCESS / DROP / RETRY (or a bulk reply). */
    public interface Handler {
        /** One delivery (an event or a bulk envelope) and daprd's trace context headers. */
        Object route(byte[] body, MediaType contentType, String traceparent, String tracestate);

        /** The reply to a delivery larger than the route's limit. */
        Object tooLarge();

        /** The reply's body. */
        byte[] encode(Object reply);
    }

    private static final byte[] UNAUTHORIZED =
            "{\"error\":\"Unauthorized\",\"details\":\"missing or wrong dapr-api-token\"}".getBytes(StandardCharsets.US_ASCII);

    private final Handler intake;
    private final String path;
    private final byte[] appApiToken;
    private final int maxBodyBytes;

    /** A null or empty {@code appApiToken} accepts any caller (local development without a sidecar token). */
    public DaprRoute(Handler intake, String path, String appApiToken, int maxBodyBytes) {
        this.intake = intake;
        this.path = path;
        this.appApiToken = appApiToken == null || appApiToken.isEmpty() ? null
                : appApiToken.getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.post(path, this::receive);
    }

    private Publisher<Void> receive(HttpServerRequest request, HttpServerResponse response) {
        var headers = request.requestHeaders();
        if (appApiToken != null && !fromSidecar(headers.get(DaprApiTokenFilter.HEADER))) {
            return reply(response, HttpResponseStatus.UNAUTHORIZED, UNAUTHORIZED);
        }
        long length = lengthOf(headers.get(HttpHeaderNames.CONTENT_LENGTH));
        MediaType contentType = mediaType(headers.get(HttpHeaderNames.CONTENT_TYPE));
        String traceparent = headers.get("traceparent");
        String tracestate = headers.get("tracestate");
        if (length > maxBodyBytes) {
            // Refused by its length; the body is still read (and discarded) so the sidecar's
            // keep-alive connection stays usable.
            return request.receive().then(Mono.defer(() -> reply(response, intake.tooLarge())));
        }
        return request.receive()
                .reduceWith(() -> new Body(length, maxBodyBytes), Body::append)
                .switchIfEmpty(Mono.fromSupplier(() -> new Body(0, maxBodyBytes)))
                .flatMap(body -> reply(response, body.tooLarge ? intake.tooLarge()
                        : intake.route(body.bytes(), contentType, traceparent, tracestate)));
    }

    private boolean fromSidecar(String given) {
        return given != null && MessageDigest.isEqual(appApiToken, given.getBytes(StandardCharsets.UTF_8));
    }

    private Mono<Void> reply(HttpServerResponse response, Object reply) {
        return reply(response, HttpResponseStatus.OK, intake.encode(reply));
    }

    private static Mono<Void> reply(HttpServerResponse response, HttpResponseStatus status, byte[] body) {
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
                .sendObject(Unpooled.wrappedBuffer(body))
                .then();
    }

    private static long lengthOf(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static MediaType mediaType(String header) {
        if (header == null) {
            return null;
        }
        try {
            return MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            // Not a media type at all: treated like an unsupported one (DROP, "content_type").
            return MediaType.APPLICATION_OCTET_STREAM;
        }
    }

    /** The request body, copied out of Netty's buffers as it arrives; beyond the limit it is counted, not kept. */
    private static final class Body {
        private byte[] bytes;
        private int size;
        private final int max;
        boolean tooLarge;

        Body(long expected, int max) {
            this.max = max;
            this.bytes = new byte[(int) Math.max(0, Math.min(expected, max))];
        }

        Body append(ByteBuf chunk) {
            int n = chunk.readableBytes();
            if (tooLarge || size + n > max) {
                tooLarge = true;
                return this;
            }
            if (size + n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.min(max, Math.max(size + n, bytes.length * 2)));
            }
            chunk.readBytes(bytes, size, n);
            size += n;
            return this;
        }

        byte[] bytes() {
            return size == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, size);
        }
    }
}
